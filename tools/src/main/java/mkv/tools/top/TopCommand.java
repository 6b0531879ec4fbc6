package mkv.tools.top;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import mkv.cli.Cli;
import mkv.cli.DurationConverter;
import mkv.cli.Terminal;
import mkv.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./mkv top}: the cluster live in a terminal, a screen a second, in the spirit of kumotop.
 */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "Shows the master and each volume: state, requests/s, MiB/s in and out, 5xx/s, disk use, the"
          + " last error; records by state, a rebalance in progress, and the recent errors the"
          + " master logged.",
      "Reads GET /_status?json from the master, which samples each volume's /metrics: only the"
          + " master needs to be reachable. Rates need two samples: the first screen shows '-'.",
      "On a terminal the screen is redrawn in place (Ctrl-C quits); otherwise each screen is"
          + " printed after the last, which --count bounds."
    })
public final class TopCommand implements Callable<Integer> {
  @Option(
      names = "--master",
      defaultValue = "http://127.0.0.1:3000",
      paramLabel = "URL",
      description = "The master (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(
      names = "--interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Time between screens (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(
      names = "--count",
      defaultValue = "0",
      paramLabel = "N",
      description = "Stop after N screens (default: 0, until interrupted).")
  int count;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    boolean live = Terminal.attached();
    try (StatusSource source = new StatusSource(master.replaceAll("/+$", ""))) {
      for (int screen = 1; count == 0 || screen <= count; screen++) {
        String frame = Screen.render(master, source.fetch());
        out.print(live ? "\033[H\033[2J" + frame : (screen > 1 ? "\n" : "") + frame);
        out.flush();
        if (count == 0 || screen < count) {
          Thread.sleep(interval.toMillis());
        }
      }
    }
    return 0;
  }

  public static void main(String[] args) {
    Cli.main(new TopCommand(), args);
  }
}
