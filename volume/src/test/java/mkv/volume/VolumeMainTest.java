package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VolumeMainTest {
  @TempDir Path dir;

  static int run(String... args) {
    CommandLine cl = new CommandLine(new VolumeMain());
    cl.setErr(new PrintWriter(new StringWriter()));
    cl.setOut(new PrintWriter(new StringWriter()));
    return cl.execute(args);
  }

  @Test
  void badFlagsExitWithUsage2() {
    assertEquals(2, run("--port", "x", "--dir", dir.toString()));
    assertEquals(2, run("--port", "70000", "--dir", dir.toString()));
    assertEquals(2, run("--worker-threads", "0", "--dir", dir.toString()));
    assertEquals(2, run("--port", "3001"), "--dir is required");
    assertEquals(2, run("--dir", dir.toString(), "--nope"));
  }

  @Test
  void helpExits0() {
    assertEquals(0, run("--help"));
  }
}
