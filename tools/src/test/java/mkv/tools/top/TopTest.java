package mkv.tools.top;

import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * mkv top shows each server's state, rates and disk from a running master, and a volume going down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopTest {
  record Run(int exit, String output) {}

  static Run top(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new TopCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    int exit = cl.execute(args);
    return new Run(exit, out.toString());
  }

  @Test
  void showsStatesRatesDiskAndAVolumeGoingDown(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 2, 1)) {
      String url = c.master().baseUrl();
      for (int i = 0; i < 20; i++) {
        assertEquals(201, put(url + "/top/k" + i, "v" + i).code());
        assertEquals(302, get(url + "/top/k" + i).code());
      }
      Run run = top("--master", url, "--count", "2", "--interval", "600ms");
      assertEquals(0, run.exit(), run.output());
      String second = run.output().substring(run.output().lastIndexOf("mkv top"));
      assertTrue(second.contains("ready: 3 of 3 volumes take writes"), second);
      assertTrue(
          Pattern.compile("(?m)^master +ready +[0-9,]+ ").matcher(second).find(),
          "a master rate: " + second);
      for (String v : c.addresses()) {
        assertTrue(
            Pattern.compile("(?m)^" + Pattern.quote(v) + " +up +[0-9,]+ .* GiB \\(\\d+%\\)")
                .matcher(second)
                .find(),
            v + " up with a rate and its disk: " + second);
      }

      c.kill(0);
      String down = c.addresses().get(0);
      assertTrue(
          eventually(
              Duration.ofSeconds(10),
              () ->
                  top("--master", url, "--count", "1")
                      .output()
                      .contains("volume " + down + " is down")),
          "the recent errors name it");
      String screen = top("--master", url, "--count", "1").output();
      assertTrue(
          Pattern.compile("(?m)^" + Pattern.quote(down) + " +down ").matcher(screen).find(),
          screen);
    }
  }

  @Test
  void aMasterThatDoesNotAnswerIsAScreenNotACrash() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run run = top("--master", "http://127.0.0.1:" + port, "--count", "1");
    assertEquals(0, run.exit());
    assertTrue(run.output().contains("the master did not answer"), run.output());
  }
}
