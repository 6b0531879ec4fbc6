package mkv.tools.rebuild;

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
import mkv.work.Pool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mkv rebuild}: recreates a lost index by listing every volume. */
@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "Recreates a lost index by listing every volume through its JSON directory listing (our"
          + " volume servers and stock nginx with autoindex_format json alike): one record per key"
          + " file found, naming every volume that holds it, ordered by placement. Keys not where"
          + " placement puts them are reported as unbalanced (./mkv rebalance moves them).",
      "Volumes do not record unlinking: keys that were UNLINKed come back live. Run it with no"
          + " master on the index; it refuses a locked index, and an index that already holds"
          + " keys.",
      "Exit status: 0 when every volume (but those skipped on request) was read, 1 when something"
          + " failed, 2 on a bad flag."
    })
public final class RebuildCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(RebuildCommand.class.getName());

  @Option(
      names = "--db",
      required = true,
      paramLabel = "DIR",
      description = "Directory of the new LevelDB index: created if missing, must hold no keys.")
  Path db;

  @Mixin PlacementOptions placement;

  @Option(
      names = "--workers",
      defaultValue = "0",
      paramLabel = "N",
      description = "Folders listed in parallel (default: 4 per CPU core, at least 4).")
  int workers;

  @Option(
      names = "--md5",
      description = "Also read every value once to restore its md5 (slower: reads all bytes).")
  boolean md5;

  @Option(
      names = "--skip-unreachable",
      description =
          "Rebuild from the volumes that answer and report the others, instead of refusing.")
  boolean skipUnreachable;

  @Option(names = "--json", description = "Also print the result as one line of JSON on stdout.")
  boolean json;

  @Option(
      names = "--progress-interval",
      defaultValue = "10s",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "When not on a terminal, log progress this often (default: ${DEFAULT-VALUE}).")
  Duration progressInterval;

  @Override
  public Integer call() throws Exception {
    RebuildConfig config;
    try {
      Placement p =
          placement.placement(null); // a new index holds none: the flags say where keys belong
      config =
          new RebuildConfig(
              db,
              p.volumes(),
              p.replicas(),
              p.subvolumes(),
              workers == 0 ? Pool.defaultWorkers() : workers,
              md5,
              skipUnreachable,
              Progress.onTerminal(),
              progressInterval);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    LOG.info(
        "rebuilding "
            + config.db()
            + " from "
            + config.volumes()
            + ", replicas "
            + config.replicas()
            + ", subvolumes "
            + config.subvolumes()
            + ", workers "
            + config.workers()
            + (config.md5() ? ", with md5" : ""));
    Rebuild.Result result =
        new Rebuild(config, new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(60))).run();
    LOG.info(result.summary());
    if (json) {
      System.out.println(mkv.tools.Summary.json("rebuild", result.ok(), result, result.summary()));
    }
    for (String s : result.skipped()) {
      LOG.warning("skipped " + s);
    }
    if (!result.ok()) {
      LOG.warning("the index is incomplete: fix what failed and rebuild into a new directory");
    }
    return result.ok() ? 0 : 1;
  }

  public static void main(String[] args) {
    Cli.main(new RebuildCommand(), args);
  }
}
