package mkv.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import mkv.volume.VolumeMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VersionTest {
  @Test
  void theBuiltVersionIsTheProjects() {
    String v = Version.get();
    assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), "version from the build: " + v);
  }

  @Test
  void dashCapitalVPrintsIt() {
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new VolumeMain());
    cmd.setOut(new PrintWriter(out));
    cmd.execute("-V");
    assertTrue(out.toString().startsWith("mkv " + Version.get() + " "), out.toString());
  }
}
