package mkv.volume;

import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.metrics.AccessLog;
import mkv.metrics.Metrics;
import org.xnio.Options;

/**
 * An embeddable volume server: a dumb HTTP file server over one directory that knows nothing of
 * keys. {@code try (var v = VolumeServer.start(dir, "127.0.0.1", 0)) { ... v.baseUrl() ... }}
 */
public final class VolumeServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VolumeServer.class.getName());

  /** Name of the temp directory under DIR; hidden from listings and unreachable over HTTP. */
  public static final String TMP_DIR = ".tmp";

  /** How long a stop waits for requests in flight (uploads, say) to finish. */
  private static final long DRAIN_MILLIS = 10_000;

  private final Undertow undertow;
  private final io.undertow.server.handlers.GracefulShutdownHandler inFlight;
  private final Durability durability;
  private final Metrics metrics;
  private final AutoCloseable accessLog;
  private final String host;
  private final int port;
  private final Path root;

  private VolumeServer(
      Undertow undertow,
      io.undertow.server.handlers.GracefulShutdownHandler inFlight,
      Durability durability,
      Metrics metrics,
      AutoCloseable accessLog,
      String host,
      int port,
      Path root) {
    this.inFlight = inFlight;
    this.accessLog = accessLog;
    this.undertow = undertow;
    this.durability = durability;
    this.metrics = metrics;
    this.host = host;
    this.port = port;
    this.root = root;
  }

  /** Starts a server with default thread counts. */
  public static VolumeServer start(Path dir, String host, int port) {
    return start(VolumeConfig.of(dir, host, port));
  }

  /**
   * Creates DIR and DIR/.tmp if missing, deletes leftovers of interrupted uploads, and listens.
   *
   * @throws UncheckedIOException if DIR cannot be prepared
   * @throws RuntimeException if the port cannot be bound
   */
  public static VolumeServer start(VolumeConfig config) {
    Path root;
    Path tmp;
    Durability durability;
    try {
      Files.createDirectories(config.dir());
      root = config.dir().toRealPath();
      tmp = root.resolve(TMP_DIR);
      Files.createDirectories(tmp);
      cleanTmp(tmp);
      durability = Durability.open(root, config.sync(), config.syncInterval());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare volume directory " + config.dir(), e);
    }
    Metrics metrics = new Metrics();
    durability.observe(metrics);
    new DiskSpaceMetrics(root.toFile())
        .bindTo(metrics.registry()); // disk_free_bytes, for top and /_status
    AutoCloseable[] accessLog = {() -> {}};
    io.undertow.server.HttpHandler handler;
    try {
      handler =
          AccessLog.wrap(
              metrics.countRequests(
                  new HttpContinueReadHandler(new VolumeHandler(root, tmp, durability, metrics))),
              config.accessLog(),
              log -> accessLog[0] = log);
    } catch (IOException e) {
      durability.close();
      metrics.close();
      throw new UncheckedIOException("cannot open the access log " + config.accessLog(), e);
    }
    io.undertow.server.handlers.GracefulShutdownHandler inFlight =
        new io.undertow.server.handlers.GracefulShutdownHandler(handler);
    Undertow undertow =
        Undertow.builder()
            .addHttpListener(config.port(), config.host())
            .setIoThreads(config.ioThreads())
            .setWorkerThreads(config.workerThreads())
            // we decode the raw path ourselves so that %2F and %2e%2e cannot slip past SafePath
            .setServerOption(UndertowOptions.DECODE_URL, false)
            // blobs are many GiB: no entity limit (undertow refuses 2 MiB bodies by default)
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
            .setServerOption(UndertowOptions.IDLE_TIMEOUT, 120_000)
            .setSocketOption(Options.TCP_NODELAY, true)
            // "Expect: 100-continue" (curl, Go clients) gets its 100 when a handler first reads the
            // body,
            // so refused uploads are answered without the client sending them
            .setHandler(inFlight)
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      undertow.stop(); // the XNIO worker threads are already running
      durability.close();
      metrics.close();
      try {
        accessLog[0].close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    return new VolumeServer(
        undertow, inFlight, durability, metrics, accessLog[0], config.host(), port, root);
  }

  private static void cleanTmp(Path tmp) throws IOException {
    int deleted = 0;
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
      for (Path p : leftovers) {
        Files.delete(p);
        deleted++;
      }
    }
    if (deleted > 0) {
      LOG.log(Level.INFO, "deleted " + deleted + " leftover temp files in " + tmp);
    }
  }

  /** The port listened on (the real one when started with port 0). */
  public int port() {
    return port;
  }

  /** "host:port" for clients; 127.0.0.1 when bound to all interfaces. */
  public String address() {
    String h =
        host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
    return (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + port;
  }

  /** "http://host:port", no trailing slash. */
  public String baseUrl() {
    return "http://" + address();
  }

  /**
   * Flushes of the file system done so far for {@code --sync} (always: shared by the writes they
   * covered).
   */
  public long flushes() {
    return durability.flushes();
  }

  /** The real path of the directory served. */
  public Path dir() {
    return root;
  }

  /**
   * Stops: lets requests in flight finish (up to 10 s; new ones get 503), stops listening and the
   * worker threads, then flushes what {@code --sync batch} had not yet.
   */
  @Override
  public void close() {
    inFlight.shutdown();
    try {
      if (!inFlight.awaitShutdown(DRAIN_MILLIS)) {
        LOG.warning("stopping with requests still in flight after " + DRAIN_MILLIS / 1000 + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
    durability.close();
    metrics.close();
    try {
      accessLog.close();
    } catch (Exception e) {
      LOG.warning("closing the access log: " + e);
    }
  }
}
