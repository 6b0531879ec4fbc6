package mkv.s3;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import mkv.metrics.Metrics;
import mkv.s3.auth.Authenticator;
import org.xnio.Options;

/** The S3 gateway: stateless, in front of one master. Embeddable: start, use baseUrl(), close. */
public final class S3Server implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(S3Server.class.getName());
  private static final int MAX_CONNECTIONS = 10_000;

  private final S3Config config;
  private final Undertow undertow;
  private final GracefulShutdownHandler inFlight;
  private final ScheduledExecutorService timer;
  private final ExecutorService deleters;
  private final Metrics metrics;
  private final VolumeFetcher fetcher;
  private final int port;

  private S3Server(S3Config config) throws IOException {
    this.config = config;
    this.metrics = new Metrics();
    AtomicInteger n = new AtomicInteger();
    this.timer =
        Executors.newScheduledThreadPool(2, r -> daemon(r, "s3-timer-" + n.incrementAndGet()));
    this.deleters =
        Executors.newFixedThreadPool(8, r -> daemon(r, "s3-delete-" + n.incrementAndGet()));
    MasterClient master =
        new MasterClient(config.master(), config.connectTimeout(), config.stallTimeout());
    BucketHandler buckets = new BucketHandler(master, config.region());
    this.fetcher = new VolumeFetcher(config.connectTimeout(), config.stallTimeout(), timer);
    LocalVolumes local;
    try {
      local = new LocalVolumes(config.localVolumes(), metrics.registry());
      List<String> wrong = local.proveAll(master.http());
      if (!wrong.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", wrong));
      }
    } catch (IllegalArgumentException e) {
      shutdownPools();
      metrics.close();
      throw e;
    }
    if (!local.settled()) {
      timer.schedule(() -> reprove(local, master), 10, TimeUnit.SECONDS);
    }
    GetHandler gets = new GetHandler(master, buckets, fetcher, local, config.master());
    PutHandler puts = new PutHandler(master, buckets, gets, timer, config.master());
    Uploads uploads = new Uploads(master, deleters);
    UploadSweeper sweeper = new UploadSweeper(master, uploads, config.uploadGrace());
    MultipartHandler multipart =
        new MultipartHandler(master, buckets, gets, puts, uploads, timer, config.master());
    Authenticator authenticator =
        new Authenticator(config.credentials(), config.region(), Clock.systemUTC());
    S3Router router =
        new S3Router(
            new IoThreadRequests(authenticator, buckets, gets, master, config),
            authenticator,
            buckets,
            gets,
            puts,
            new DeleteHandler(master, buckets, deleters, config.master()),
            new ListHandler(master, buckets),
            multipart,
            metrics,
            config);
    this.inFlight =
        new GracefulShutdownHandler(metrics.countRequests(new HttpContinueReadHandler(router)));
    io.undertow.server.HttpHandler front;
    try {
      front = mkv.metrics.AccessLog.wrap(inFlight, config.accessLog(), log -> accessLog = log);
    } catch (IOException e) {
      shutdownPools();
      metrics.close();
      throw e;
    }
    Undertow u =
        Undertow.builder()
            .addHttpListener(config.port(), config.host())
            .setWorkerThreads(config.workerThreads())
            .setServerOption(
                UndertowOptions.DECODE_URL,
                false) // S3 signs the path as sent; we decode it ourselves
            .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
            .setServerOption(
                UndertowOptions.MAX_ENTITY_SIZE, -1L) // objects are streamed, never held
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
            .setSocketOption(Options.TCP_NODELAY, true)
            .setSocketOption(Options.CONNECTION_HIGH_WATER, MAX_CONNECTIONS)
            .setSocketOption(Options.CONNECTION_LOW_WATER, MAX_CONNECTIONS * 9 / 10)
            .setHandler(front)
            .build();
    try {
      u.start();
    } catch (RuntimeException e) {
      shutdownPools();
      metrics.close();
      throw e;
    }
    this.undertow = u;
    this.port = ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
    long sweepMillis =
        Math.max(
            1000, Math.min(Duration.ofMinutes(10).toMillis(), config.uploadGrace().toMillis() / 4));
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            sweeper.sweep();
          } catch (IOException | RuntimeException e) {
            LOG.warning("sweeping abandoned uploads: " + e.getMessage());
          }
        },
        sweepMillis,
        sweepMillis,
        TimeUnit.MILLISECONDS);
    LOG.info(
        "s3 gateway listening on "
            + config.host()
            + ":"
            + port
            + " for master "
            + config.master()
            + ", "
            + config.credentials()
            + (config.region() == null ? "" : ", region " + config.region())
            + ", abandoned uploads deleted after "
            + config.uploadGrace().toSeconds()
            + " s, "
            + local
            + (config.domain() == null
                ? ", path-style"
                : ", path-style and virtual-hosted-style under " + config.domain()));
  }

  private AutoCloseable accessLog = () -> {};

  /**
   * Probes the local volumes that did not answer, every 10 s until each has; one found wrong is a
   * misconfiguration, logged and relayed from then on.
   */
  private void reprove(LocalVolumes local, MasterClient master) {
    local.proveAll(master.http()).forEach(wrong -> LOG.severe(wrong + "; its values are relayed"));
    if (!local.settled()) {
      timer.schedule(() -> reprove(local, master), 10, TimeUnit.SECONDS);
    }
  }

  /** Starts serving; the master need not be up yet (requests fail with 503 until it is). */
  public static S3Server start(S3Config config) throws IOException {
    try {
      return new S3Server(config);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof IOException io) {
        throw io; // undertow wraps a failed bind
      }
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** {@code http://host:port}, for clients. */
  public String baseUrl() {
    return "http://" + (config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host()) + ":" + port;
  }

  @Override
  public void close() {
    inFlight.shutdown();
    try {
      inFlight.awaitShutdown(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
    fetcher.close();
    shutdownPools();
    metrics.close();
    try {
      accessLog.close();
    } catch (Exception e) {
      LOG.warning("closing the access log: " + e);
    }
  }

  private void shutdownPools() {
    timer.shutdownNow();
    deleters.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
