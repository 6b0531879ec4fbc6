package mkv.master;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import mkv.client.AsyncClient;
import mkv.client.VolumeClient;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.layout.Placement;
import mkv.metrics.Metrics;
import mkv.move.KeyMover;
import mkv.move.Throttle;
import mkv.repair.PendingResolver;
import mkv.status.Sampler;
import mkv.sync.GroupCommit;
import mkv.sync.SyncMode;
import org.xnio.Options;

/**
 * The master: the index and the HTTP front of the store. Embeddable: start, use baseUrl(), close.
 */
public final class MasterServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MasterServer.class.getName());

  /** How often the clean-ups of failed writes are retried. */
  private static final long SWEEP_SECONDS = 1;

  private static final int MAX_CONNECTIONS = 10_000;

  private final MasterConfig config;
  private final Index index;
  private final GroupCommit indexCommit;
  private final VolumeHealth health;
  private final Rebalancer rebalancer;
  private final LeavingReaper reaper;
  private final Metrics metrics;
  private final RecentErrors recentErrors;
  private final Sampler sampler;
  private AutoCloseable accessLog = () -> {};
  private final ScheduledExecutorService background;
  private final Undertow undertow;
  private final GracefulShutdownHandler inFlight;
  private final int port;

  private MasterServer(MasterConfig config) throws IOException {
    this.config = config;
    this.index = Index.open(config.db());
    // Every write of the index is unsynced; this one thread flushes them, shared by all in flight.
    this.indexCommit =
        new GroupCommit("index-sync", config.sync(), config.syncInterval(), index::flush);
    this.metrics = new Metrics();
    metrics.observe(indexCommit);
    this.recentErrors = new RecentErrors();
    boolean started = false;
    Sampler sampled = null;
    VolumeHealth h = null;
    Rebalancer rb = null;
    LeavingReaper reaper = null;
    ScheduledExecutorService bg = null;
    Undertow u = null;
    GracefulShutdownHandler g = null;
    try {
      Placement flags = config.placement();
      Placement stored = PlacementRecord.stored(index);
      boolean adopt = stored != null && !stored.sameAs(flags);
      if (adopt && !config.adoptPlacement()) {
        throw new IOException(
            "the index holds "
                + stored
                + ", not "
                + flags
                + ": start with the index's placement, change it with ./mkv rebalance --master, or"
                + " pass --adopt-placement to move every key to the flags'");
      }
      if (stored == null) {
        PlacementRecord.store(index, flags);
      }
      CurrentPlacement current = new CurrentPlacement(adopt ? stored : flags);
      List<String> watched = new ArrayList<>(current.configured().volumes());
      PlacementRecord.movingFrom(index).stream()
          .filter(v -> !watched.contains(v))
          .forEach(watched::add);
      VolumeClient client = new VolumeClient(config.voltimeout(), config.stallTimeout());
      AsyncClient async = new AsyncClient(config.voltimeout(), config.stallTimeout());
      h = new VolumeHealth(watched, client, config.checkInterval(), config.voltimeout());
      KeyLocks locks = new KeyLocks();
      reaper =
          new LeavingReaper(
              index,
              locks,
              h,
              new KeyMover(client, Throttle.of(0)),
              config.moveGrace(),
              config.moveWorkers());
      OverwriteSettler settler =
          new OverwriteSettler(
              index, locks, h, current, new KeyMover(client, Throttle.of(0)), reaper);
      rb =
          new Rebalancer(
              index, locks, h, current, client, reaper, config.moveWorkers(), config.moveRate());
      ReplacementWatch replacements = new ReplacementWatch(rb, current, h, config.replaceAfter());
      PendingSweeper sweeper = new PendingSweeper(index, new PendingResolver(index, client), locks);
      KeyWriter writer =
          new KeyWriter(index, current, h, sweeper, settler, config.md5(), config.minReplicas());
      StreamedPutHandler streamedPut =
          new StreamedPutHandler(
              writer, locks, client, h, indexCommit, config.minReplicas(), config.stallTimeout());
      RedirectHandler redirect =
          new RedirectHandler(index, current, h, config.fallback(), config.md5());
      MasterMetrics masterMetrics = new MasterMetrics(metrics, index, h, redirect.cache(), rb);
      VolumesHandler volumes = new VolumesHandler(h, rb, current);
      HealthHandler health = new HealthHandler(index, h, current, config.minReplicas());
      sampled = new Sampler(client);
      MasterRouter router =
          new MasterRouter(
              redirect,
              new ListHandler(index),
              new SmallPutHandler(
                  index, writer, locks, async, indexCommit, streamedPut, config.stallTimeout()),
              streamedPut,
              new DeleteHandler(
                  index, indexCommit, async, h, locks, config.protect(), config.stallTimeout()),
              volumes,
              new VerifyHandler(index, client, current, locks),
              new RebalanceHandler(rb, current),
              health,
              new StatusHandler(volumes, health, rb, metrics, masterMetrics, sampled, recentErrors),
              new AdminGuard(config.adminToken()),
              metrics);
      g = new GracefulShutdownHandler(metrics.countRequests(new HttpContinueReadHandler(router)));
      u =
          Undertow.builder()
              .addHttpListener(config.port(), config.host())
              .setWorkerThreads(config.workerThreads())
              .setServerOption(
                  UndertowOptions.DECODE_URL, false) // we decode, refusing malformed escapes
              .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
              .setServerOption(
                  UndertowOptions.MAX_ENTITY_SIZE,
                  -1L) // values may be many GiB; streamed, never held
              .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
              .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
              .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
              .setSocketOption(Options.TCP_NODELAY, true)
              // Thousands of idle or slow clients must not exhaust the master: past the high-water
              // mark
              // it stops accepting until connections close (idle ones are closed after
              // NO_REQUEST_TIMEOUT).
              .setSocketOption(Options.CONNECTION_HIGH_WATER, MAX_CONNECTIONS)
              .setSocketOption(Options.CONNECTION_LOW_WATER, MAX_CONNECTIONS * 9 / 10)
              // HttpContinueReadHandler: curl -T waits for 100 Continue on large bodies
              .setHandler(mkv.metrics.AccessLog.wrap(g, config.accessLog(), log -> accessLog = log))
              .build();
      u.start();
      bg =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "pending-sweeper");
                t.setDaemon(true);
                return t;
              });
      bg.execute(() -> StartupScan.run(index, sweeper, settler));
      bg.scheduleWithFixedDelay(sweeper::retry, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
      bg.scheduleWithFixedDelay(
          replacements::check, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
      rb.resumeIfUnfinished();
      if (adopt) {
        rb.start(flags, 0, -1);
      }
      started = true;
    } finally {
      if (!started) {
        if (u != null) {
          u.stop();
        }
        if (rb != null) {
          rb.close();
        }
        if (reaper != null) {
          reaper.close();
        }
        if (h != null) {
          h.close();
        }
        indexCommit.close();
        index.close();
        metrics.close();
        recentErrors.close();
        if (sampled != null) {
          sampled.close();
        }
        closeAccessLog();
      }
    }
    this.sampler = sampled;
    this.health = h;
    this.rebalancer = rb;
    this.reaper = reaper;
    this.background = bg;
    this.undertow = u;
    this.inFlight = g;
    this.port = ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
    LOG.info(
        "master listening on "
            + config.host()
            + ":"
            + port
            + " with "
            + config.volumes().size()
            + " volumes, "
            + config.replicas()
            + " replicas, "
            + config.subvolumes()
            + " subvolumes, index "
            + config.db()
            + ", sync "
            + config.sync()
            + (config.sync() == SyncMode.BATCH
                ? " every " + config.syncInterval().toMillis() + " ms"
                : ""));
  }

  /** Opens the index and starts serving. */
  public static MasterServer start(MasterConfig config) throws IOException {
    return new MasterServer(config);
  }

  public int port() {
    return port;
  }

  /** {@code http://host:port}, for clients. */
  public String baseUrl() {
    return "http://" + (config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host()) + ":" + port;
  }

  @Override
  public void close() throws IOException {
    // Requests still running use the index: let them finish (bounded) before it closes.
    inFlight.shutdown();
    try {
      inFlight.awaitShutdown(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
    background.shutdownNow();
    rebalancer.close();
    reaper.close();
    health.close();
    indexCommit.close(); // a last flush of what --sync batch had not yet
    try {
      background.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    index.close();
    metrics.close();
    sampler.close();
    recentErrors.close();
    closeAccessLog();
  }

  private void closeAccessLog() {
    try {
      accessLog.close();
    } catch (Exception e) {
      LOG.warning("closing the access log: " + e);
    }
  }
}
