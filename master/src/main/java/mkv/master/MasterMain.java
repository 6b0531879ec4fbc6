package mkv.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mkv.cli.AccessLogOption;
import mkv.cli.Cli;
import mkv.cli.DurationConverter;
import mkv.cli.SyncOptions;
import mkv.cli.Version;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.layout.Placement;
import mkv.layout.PlacementOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mkv master}: runs a master until it is stopped. */
@Command(
    name = "master",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description =
        "Runs the master: the index of keys, and the HTTP front that redirects reads to volumes "
            + "and writes to every replica.")
public final class MasterMain implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "3000",
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--db",
      required = true,
      description = "Directory of the LevelDB index (created if missing).")
  Path db;

  @Mixin PlacementOptions placement;

  @Option(
      names = "--min-replicas",
      defaultValue = "0",
      description =
          "Replicas that must hold a value before a PUT answers 201; the others are recorded as "
              + "missing and filled by verify --repair (default: all of --replicas).")
  int minReplicas;

  @Option(names = "--fallback", description = "host:port to redirect reads of missing keys to.")
  String fallback;

  @Option(names = "--protect", description = "Refuse DELETE of a key that was not UNLINKed first.")
  boolean protect;

  @Option(
      names = "--no-md5",
      description = "Do not compute the md5 of values (saves CPU on large PUTs).")
  boolean noMd5;

  @Option(
      names = "--voltimeout",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description =
          "Bound on connecting to a volume and on its health check (default: ${DEFAULT-VALUE}).")
  Duration voltimeout;

  @Option(
      names = "--stall-timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "A transfer to or from a volume, or from a client, that makes no progress for this long "
              + "fails (default: ${DEFAULT-VALUE}).")
  Duration stallTimeout;

  @Option(
      names = "--check-interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "How often each volume's health is checked (default: ${DEFAULT-VALUE}).")
  Duration checkInterval;

  @Option(
      names = "--workers",
      defaultValue = "128",
      description =
          "Worker threads for writes and listings; each PUT in flight holds one (default:"
              + " ${DEFAULT-VALUE}).")
  int workers;

  @Mixin SyncOptions sync;

  @Option(
      names = "--adopt-placement",
      description =
          "Start even if the index holds another placement (volumes, replicas, subvolumes): make"
              + " these flags' placement the index's and move every key to it in the background, as"
              + " ./mkv rebalance --master would.")
  boolean adoptPlacement;

  @Option(
      names = "--replace-after",
      defaultValue = "15m",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "A volume down this long no longer counts: each key it held gets a new copy on the next"
              + " volume of its ranking, and moves back when it returns; 0 turns this off (default:"
              + " ${DEFAULT-VALUE}).")
  Duration replaceAfter;

  @Option(
      names = "--move-rate",
      defaultValue = "0",
      paramLabel = "MiB/s",
      description =
          "Bound on what rebalances and re-replications copy, in MiB per second; 0 for none "
              + "(default: ${DEFAULT-VALUE}).")
  long moveRate;

  @Option(
      names = "--admin-token",
      paramLabel = "TOKEN",
      description =
          "Lets clients on other hosts use POST /_verify and /_rebalance, sending 'Authorization:"
              + " Bearer TOKEN' (the tools send MKV_ADMIN_TOKEN); without it only clients on this"
              + " host may. Better given as MKV_ADMIN_TOKEN than as a flag, which other users can"
              + " see.")
  String adminToken;

  @Mixin AccessLogOption accessLog;

  @Option(
      names = "--move-workers",
      defaultValue = "8",
      paramLabel = "N",
      description = "Keys a rebalance or re-replication moves at once (default: ${DEFAULT-VALUE}).")
  int moveWorkers;

  @Override
  public Integer call() throws Exception {
    MasterConfig config;
    try {
      Placement p = placement.placement(placement.given() ? null : stored(db));
      config =
          MasterConfig.builder(db, p.volumes())
              .host(host)
              .port(port)
              .replicas(p.replicas())
              .subvolumes(p.subvolumes())
              .minReplicas(minReplicas)
              .fallback(fallback)
              .protect(protect)
              .md5(!noMd5)
              .voltimeout(voltimeout)
              .stallTimeout(stallTimeout)
              .checkInterval(checkInterval)
              .workerThreads(workers)
              .sync(sync.mode, sync.interval)
              .adoptPlacement(adoptPlacement)
              .replaceAfter(replaceAfter)
              .moveRate(moveRate << 20)
              .moveWorkers(moveWorkers)
              .adminToken(adminToken)
              .accessLog(accessLog.file)
              .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    MasterServer server = MasterServer.start(config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    System.err.println("closing: " + e);
                  }
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }

  /** The placement the index in {@code db} holds, or null (no index yet, or none stored). */
  private static Placement stored(Path db) throws java.io.IOException {
    if (!java.nio.file.Files.isDirectory(db)) {
      return null;
    }
    try (Index index = Index.open(db)) {
      return PlacementRecord.stored(index);
    }
  }

  public static void main(String[] args) {
    Cli.main(new MasterMain(), args);
  }
}
