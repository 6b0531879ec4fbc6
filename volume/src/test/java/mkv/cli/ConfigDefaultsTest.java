package mkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A flag on the command line wins over MKV_* in the environment, which wins over the --config file.
 */
class ConfigDefaultsTest {
  @Command(name = "demo")
  static final class Demo {
    @Option(names = "--volumes", split = ",")
    List<String> volumes;

    @Option(names = "--replicas", defaultValue = "3")
    int replicas;

    @Option(names = "--replace-after", defaultValue = "15m")
    String replaceAfter;

    @Option(names = "--protect")
    boolean protect;
  }

  private static Demo parse(Map<String, String> env, String... args) {
    Demo demo = new Demo();
    Cli.withConfig(new CommandLine(demo), args, env).parseArgs(args);
    return demo;
  }

  @Test
  void flagThenEnvironmentThenFileThenDefault(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("mkv.conf");
    Files.writeString(
        file,
        "# the cluster\nvolumes = a:1,b:2,c:3\nreplicas = 2\nreplace-after = 1h\nprotect = true\n");
    String config = file.toString();

    Demo fromFile = parse(Map.of(), "--config", config);
    assertEquals(List.of("a:1", "b:2", "c:3"), fromFile.volumes);
    assertEquals(2, fromFile.replicas);
    assertEquals("1h", fromFile.replaceAfter);
    assertTrue(fromFile.protect);

    Demo fromEnv =
        parse(Map.of("MKV_REPLICAS", "1", "MKV_REPLACE_AFTER", "0"), "--config=" + config);
    assertEquals(1, fromEnv.replicas);
    assertEquals("0", fromEnv.replaceAfter);
    assertEquals(
        List.of("a:1", "b:2", "c:3"),
        fromEnv.volumes,
        "what the environment does not set comes from the file");

    Demo fromFlag =
        parse(
            Map.of("MKV_REPLICAS", "1"), "--config", config, "--replicas", "5", "--volumes", "x:9");
    assertEquals(5, fromFlag.replicas);
    assertEquals(List.of("x:9"), fromFlag.volumes);

    Demo bare = parse(Map.of());
    assertEquals(3, bare.replicas);
    assertEquals("15m", bare.replaceAfter);

    Demo named = parse(Map.of("MKV_CONFIG", config));
    assertEquals(2, named.replicas, "MKV_CONFIG names the file too");

    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse(Map.of(), "--config", tmp.resolve("nope").toString()));
    assertTrue(
        missing.getMessage().startsWith("--config " + tmp.resolve("nope") + " cannot be read"),
        missing.getMessage());
  }
}
