package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mkv.testing.NginxVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** deploy/nginx-volume.conf stays valid and keeps the directives the tests run nginx with. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeployConfigTest {
  // surefire runs in the module directory
  static final Path CONF = Path.of("..", "deploy", "nginx-volume.conf");

  @Test
  void hasTheVolumeDirectivesTheTestsUse() throws IOException {
    String conf = Files.readString(CONF);
    for (String directive : NginxVolume.VOLUME_DIRECTIVES) {
      assertTrue(conf.contains(directive), "deploy config lacks " + directive);
    }
    assertTrue(
        conf.contains("client_body_temp_path /var/lib/mkv/volume1/.tmp;"),
        "upload temp files on the same file system as root");
  }

  @Test
  void passesNginxSyntaxCheckWithTestPaths(@TempDir Path tmp) throws Exception {
    assumeTrue(NginxVolume.isInstalled(), "nginx is not installed (CI installs it)");
    Path root = tmp.resolve("volume1");
    Files.createDirectories(root.resolve(".tmp"));
    boolean isRoot = "root".equals(System.getProperty("user.name"));
    String conf =
        Files.readString(CONF)
            .replace("/var/lib/mkv/volume1", root.toString())
            .replace("user www-data;", isRoot ? "user root;" : "")
            .replace("/run/mkv-nginx-volume.pid", tmp.resolve("nginx.pid").toString())
            .replace("/var/log/nginx/mkv-volume-error.log", tmp.resolve("error.log").toString())
            .replace("listen 3001;", "listen 127.0.0.1:3001;"); // -t does not bind
    Path file = tmp.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p =
        new ProcessBuilder(
                "nginx",
                "-t",
                "-p",
                tmp.toString(),
                "-c",
                file.toString(),
                "-e",
                tmp.resolve("error.log").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }
}
