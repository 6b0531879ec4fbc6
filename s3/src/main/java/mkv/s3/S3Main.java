package mkv.s3;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mkv.cli.AccessLogOption;
import mkv.cli.Cli;
import mkv.cli.DurationConverter;
import mkv.cli.Version;
import mkv.s3.auth.Credentials;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mkv s3}: runs an S3 gateway in front of a master until it is stopped. */
@Command(
    name = "s3",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description =
        "Runs an S3 gateway: the store through the S3 API (awscli, boto3, rclone, the SDKs), object"
            + " k of bucket b being key /b/k. Stateless: run as many as you like. Credentials come"
            + " from MKV_S3_ACCESS_KEY and MKV_S3_SECRET_KEY, or --credentials FILE; never from a"
            + " flag.")
public final class S3Main implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "8333",
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--master",
      required = true,
      paramLabel = "URL",
      description = "The master, http://HOST:PORT.")
  String master;

  @Option(
      names = "--credentials",
      paramLabel = "FILE",
      description =
          "A file of ACCESS_KEY SECRET_KEY lines: the keys accepted (with MKV_S3_ACCESS_KEY / "
              + "MKV_S3_SECRET_KEY, if set). Keep it readable by the gateway's user only.")
  Path credentials;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description =
          "Accept signatures for this region only (default: any region a client signs for).")
  String region;

  @Option(
      names = "--upload-grace",
      defaultValue = "24h",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "A multipart upload untouched this long is abandoned: its parts are deleted "
              + "(default: ${DEFAULT-VALUE}).")
  Duration uploadGrace;

  @Option(
      names = "--voltimeout",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Bound on connecting to the master or a volume (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--stall-timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "A transfer to or from the master, a volume or a client that makes no progress for this "
              + "long fails (default: ${DEFAULT-VALUE}).")
  Duration stallTimeout;

  @Option(
      names = "--workers",
      defaultValue = "128",
      description = "Worker threads; each request in flight holds one (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--local-volume",
      paramLabel = "HOST:PORT=DIR",
      description =
          "A volume on this machine, by its address as the master names it and its --dir: its"
              + " copies are sent from disk (sendfile) instead of relayed over HTTP. Repeatable."
              + " Needs write access to DIR for a probe file that proves DIR is that volume's.")
  List<String> localVolumes = new ArrayList<>();

  @Option(
      names = "--domain",
      paramLabel = "DOMAIN",
      description =
          "Also take virtual-hosted-style requests: one sent to BUCKET.DOMAIN is for bucket BUCKET"
              + " (the DNS must send *.DOMAIN here). Path-style requests are always taken.")
  String domain;

  @Mixin AccessLogOption accessLog;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    S3Config config;
    try {
      String m = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
      if (!m.contains("://")) {
        m = "http://" + m;
      }
      config =
          new S3Config(
              host,
              port,
              m,
              Credentials.load(credentials, System.getenv()),
              region,
              workers,
              connectTimeout,
              stallTimeout,
              uploadGrace,
              accessLog.file,
              localVolumes,
              domain);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    S3Server server;
    try {
      server = S3Server.start(config);
    } catch (IllegalArgumentException e) { // a --local-volume that is not what it claims
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "s3-shutdown"));
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    Cli.main(new S3Main(), args);
  }
}
