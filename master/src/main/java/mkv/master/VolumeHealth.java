package mkv.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.layout.Placement;

/**
 * What the master believes of each volume server, kept by a background check and by the outcome of
 * real requests, so that a GET never waits on a volume to choose a replica.
 */
final class VolumeHealth implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VolumeHealth.class.getName());

  /** A volume's state as last seen: SLOW answers its check, but in over half the time allowed. */
  enum State { UP, SLOW, DOWN }

  /** One volume's health, as {@code GET /_volumes} shows it. */
  record Status(String volume, State state, String lastError, Instant lastSeen) {}

  private final Map<String, Status> statuses = new ConcurrentHashMap<>();
  private final List<String> servers;
  private final VolumeClient client;
  private final ScheduledExecutorService checker;
  private final long slowNanos;
  private final VolumeWatch watch;
  /** The longest a volume that came back waits for its watch connection to reopen and check it. */
  private static final Duration WATCH_RETRY = Duration.ofSeconds(1);

  VolumeHealth(List<String> servers, VolumeClient client, Duration interval, Duration timeout) {
    this.servers = List.copyOf(servers);
    this.client = client;
    this.slowNanos = timeout.toNanos() / 2;
    for (String s : servers) {
      statuses.put(s, new Status(s, State.UP, null, null)); // innocent until a check says otherwise
    }
    // A thread per volume, so that one hung volume does not delay noticing another.
    this.checker = Executors.newScheduledThreadPool(servers.size(), r -> {
      Thread t = new Thread(r, "volume-health");
      t.setDaemon(true);
      return t;
    });
    for (String server : servers) {
      checker.scheduleWithFixedDelay(() -> check(server), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
    // A volume process that dies closes its connections: check it the moment that happens.
    this.watch = new VolumeWatch(servers, timeout, interval.compareTo(WATCH_RETRY) < 0 ? interval : WATCH_RETRY,
        this::check);
  }

  /** What is believed of the server of {@code replica} ({@code host:port[/svXX]}). */
  State state(String replica) {
    Status s = statuses.get(Placement.server(replica));
    return s == null ? State.UP : s.state();
  }

  /** Records a failed request to a volume: it is taken out of rotation until a check passes. */
  void failed(VolumeException e) {
    String server = Placement.server(e.volume());
    Status old = statuses.get(server);
    // An answer (even an error status) proves the server is reachable; only silence marks it down.
    if (old != null && e.status() == 0) {
      if (old.state() != State.DOWN) {
        LOG.warning("volume " + server + " marked down: " + e.getMessage());
      }
      statuses.put(server, new Status(server, State.DOWN, e.getMessage(), old.lastSeen()));
    }
  }

  List<Status> all() {
    List<Status> list = new ArrayList<>();
    for (String s : servers) {
      list.add(statuses.get(s));
    }
    return list;
  }

  private void check(String server) {
    Status old = statuses.get(server);
    try {
      long start = System.nanoTime();
      client.ping(server);
      State now = System.nanoTime() - start > slowNanos ? State.SLOW : State.UP;
      if (old.state() != now) {
        LOG.info("volume " + server + " is " + now.name().toLowerCase(java.util.Locale.ROOT));
      }
      statuses.put(server, new Status(server, now, null, Instant.now()));
    } catch (VolumeException e) {
      if (old.state() != State.DOWN) {
        LOG.warning("volume " + server + " is down: " + e.getMessage());
      }
      statuses.put(server, new Status(server, State.DOWN, e.getMessage(), old.lastSeen()));
    } catch (RuntimeException e) {
      LOG.warning("health check of " + server + " failed: " + e);
    }
  }

  @Override
  public void close() {
    watch.close();
    checker.shutdownNow();
  }
}
