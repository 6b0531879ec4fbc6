package mkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import mkv.volume.VolumeMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Cli.commandLine(new VolumeMain(), args);
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void aBadFlagPrintsTheErrorAndAHintNotTheUsage() {
    assertEquals(2, run("--dir", "/tmp/x", "--prot", "1"));
    String text = err.toString();
    assertTrue(text.startsWith("volume: Unknown options: '--prot', '1'"), text);
    assertTrue(text.contains("Try 'volume --help'"), text);
    assertFalse(text.contains("Usage:"), text);
  }

  @Test
  void anUnknownFlagIsReportedBeforeAMissingRequiredOne() {
    assertEquals(2, run("--no-such-flag")); // and no --dir, which the volume requires
    String text = err.toString();
    assertTrue(text.startsWith("volume: Unknown option: '--no-such-flag'"), text);
    assertFalse(text.contains("Missing required"), text);
  }

  @Test
  void aBadValueSaysWhichAndWhy() {
    assertEquals(2, run("--dir", "/tmp/x", "--sync-interval", "soon"));
    assertTrue(err.toString().contains("soon"), err.toString());
    assertFalse(err.toString().contains("Usage:"), err.toString());
  }

  @Test
  void logLevelIsCheckedAndSet() {
    assertEquals(2, run("--dir", "/tmp/x", "--log-level", "loud"));
    assertTrue(
        err.toString().contains("'loud' is not one of error, warn, info, debug"), err.toString());
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    java.util.logging.Level before = root.getLevel();
    try {
      Cli.commandLine(new VolumeMain(), "--log-level", "debug")
          .parseArgs("--dir", "/tmp/x", "--log-level", "debug");
      assertEquals(java.util.logging.Level.FINE, root.getLevel());
    } finally {
      Logs.level(before == null ? java.util.logging.Level.INFO : before);
    }
  }
}
