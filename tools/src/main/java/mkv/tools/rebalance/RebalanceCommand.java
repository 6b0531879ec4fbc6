package mkv.tools.rebalance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import mkv.cli.Cli;
import mkv.cli.DurationConverter;
import mkv.cli.Version;
import mkv.client.VolumeClient;
import mkv.layout.Placement;
import mkv.layout.PlacementOptions;
import mkv.tools.Progress;
import mkv.tools.Summary;
import mkv.work.Pool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mkv rebalance}: moves values to where a new set of volumes places them. */
@Command(
    name = "rebalance",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "With --master: asks the running master to adopt the new placement. New writes follow it at"
          + " once; existing keys move in the background while every key stays readable and"
          + " writable; this command follows the move and returns when it is done (GET /_rebalance"
          + " on the master shows it too).",
      "With --db (no master running on the index): moves every value that is not where the new set"
          + " of volumes places it: streams it from a volume that holds it to the volumes that"
          + " should, checks the copy (size, and md5 when the record has one), records the new"
          + " replicas, then deletes the copies no longer wanted.",
      "Safe to kill at any moment and to re-run: the re-run finishes what was left. Unlinked keys"
          + " move too and stay unlinked; md5s are kept. PENDING and DELETING records (unfinished"
          + " writes and deletes) are skipped: a master resolves the first when it starts, verify"
          + " --repair finishes the second. Keep the old volumes running until it is done, and run"
          + " it with no master on the index (it refuses a locked index).",
      "Exit status: 0 when every key is in place, 1 when a key could not be moved (each is reported"
          + " and stays readable where it was), 2 on a bad flag."
    })
public final class RebalanceCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(RebalanceCommand.class.getName());

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "A running master, e.g. http://127.0.0.1:3000: rebalance online.")
  String master;

  @Option(
      names = "--db",
      paramLabel = "DIR",
      description = "Directory of the master's LevelDB index: rebalance offline.")
  Path db;

  /** The NEW placement. Old volumes left out must still be running: values are copied from them. */
  @Mixin PlacementOptions placement;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description =
          "Keys moved in parallel (default: the master's --move-workers; offline 4 per CPU core).")
  Integer workers;

  @Option(
      names = "--rate",
      paramLabel = "MiB/s",
      description =
          "Bound on the bytes copied per second (default: the master's --move-rate; offline none).")
  Integer rate;

  @Option(names = "--json", description = "Also print the result as one line of JSON on stdout.")
  boolean json;

  @Option(
      names = "--dry-run",
      description = "Print how many keys and bytes would move, and change nothing.")
  boolean dryRun;

  @Option(
      names = "--progress-interval",
      defaultValue = "10s",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "When not on a terminal, log progress this often (default: ${DEFAULT-VALUE}).")
  Duration progressInterval;

  @Override
  public Integer call() throws Exception {
    if ((master == null) == (db == null)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "give either --master URL (a running master) or --db DIR (a stopped one's index)");
    }
    if (master != null) {
      if (dryRun) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--dry-run works offline only (--db)");
      }
      // Replicas and subvolumes not given stay the master's.
      Placement next = placement.placement(null);
      return new OnlineRebalance(master, json)
          .run(
              next.volumes(),
              placement.isSet("--replicas") ? next.replicas() : null,
              placement.isSet("--subvolumes") ? next.subvolumes() : null,
              workers,
              rate,
              progressInterval);
    }
    RebalanceConfig config;
    try {
      Placement next = placement.placement(null);
      config =
          new RebalanceConfig(
              db,
              next.volumes(),
              next.replicas(),
              next.subvolumes(),
              workers == null || workers == 0 ? Pool.defaultWorkers() : workers,
              rate == null ? 0 : (long) rate << 20,
              dryRun,
              Progress.onTerminal(),
              progressInterval);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    LOG.info(
        "rebalancing "
            + config.db()
            + " onto "
            + config.volumes()
            + ", replicas "
            + config.replicas()
            + ", subvolumes "
            + config.subvolumes()
            + ", workers "
            + config.workers()
            + (dryRun ? " (dry run)" : ""));
    Rebalance.Result result =
        new Rebalance(config, new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(60)))
            .run();
    if (json) {
      System.out.println(Summary.json("rebalance", result.ok(), result, result.summary()));
    } else if (dryRun) {
      System.out.println(result.summary());
    }
    if (!dryRun) {
      LOG.info(result.summary());
    }
    if (!result.ok()) {
      LOG.warning(
          result.failed()
              + " keys could not be moved and stay readable where they were; fix the cause and "
              + "re-run. First failures:");
      result.failures().forEach(f -> LOG.warning("  " + f));
    }
    return result.ok() ? 0 : 1;
  }

  public static void main(String[] args) {
    Cli.main(new RebalanceCommand(), args);
  }
}
