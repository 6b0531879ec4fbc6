package mkv.volume;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import mkv.cli.AccessLogOption;
import mkv.cli.Cli;
import mkv.cli.SyncOptions;
import mkv.cli.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The volume server process: {@code java -jar mkv-volume-all.jar --dir /var/lib/mkv/v1 --port
 * 3001}.
 */
@Command(
    name = "volume",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Serves DIR over HTTP: GET/HEAD/PUT/DELETE of files, GET of DIR/ lists as JSON.")
public final class VolumeMain implements Callable<Integer> {

  @Option(names = "--port", description = "port to listen on (default: ${DEFAULT-VALUE})")
  int port = 3001;

  @Option(names = "--dir", required = true, description = "directory holding the files")
  Path dir;

  @Option(names = "--host", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host = "0.0.0.0";

  @Option(
      names = "--io-threads",
      description = "non-blocking IO threads (default: ${DEFAULT-VALUE})")
  int ioThreads = VolumeConfig.DEFAULT_IO_THREADS;

  @Option(
      names = "--worker-threads",
      description = "threads for large bodies and listings (default: ${DEFAULT-VALUE})")
  int workerThreads = VolumeConfig.DEFAULT_WORKER_THREADS;

  @Mixin SyncOptions sync;

  @Mixin AccessLogOption accessLog;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    Cli.main(new VolumeMain(), args);
  }

  /** Validates the flags (usage and exit 2 if bad) and runs until the process is stopped. */
  @Override
  public Integer call() throws InterruptedException {
    VolumeConfig config;
    try {
      config =
          new VolumeConfig(
              dir, host, port, ioThreads, workerThreads, sync.mode, sync.interval, accessLog.file);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Logger log = Logger.getLogger(VolumeMain.class.getName());
    String jnu = System.getProperty("sun.jnu.encoding", "");
    if (!jnu.equalsIgnoreCase("UTF-8")) {
      log.warning("file names are encoded as " + jnu + ", not UTF-8: run with LANG=C.UTF-8");
    }
    VolumeServer server = VolumeServer.start(config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "volume-shutdown"));
    log.info(
        "dir "
            + server.dir()
            + ", io-threads "
            + ioThreads
            + ", worker-threads "
            + workerThreads
            + ", sync "
            + sync.mode
            + (sync.mode == mkv.sync.SyncMode.BATCH
                ? " every " + sync.interval.toMillis() + " ms"
                : ""));
    log.info("listening on " + host + ":" + server.port());
    stopped.await();
    return 0;
  }
}
