package mkv.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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

  /**
   * A volume's state as last seen: SLOW answers its check, but in over half the time allowed; FULL
   * serves reads but says it cannot take writes (its disk is full, or it cannot write).
   */
  enum State {
    UP,
    SLOW,
    FULL,
    DOWN
  }

  /**
   * One volume's health, as {@code GET /_volumes} shows it; {@code watchedSince} is the nanoTime it
   * was first watched.
   */
  record Status(
      String volume, State state, String lastError, Instant lastSeen, long watchedSince) {}

  /** How long after a volume is first watched a slow answer still counts as up. */
  private static final Duration WARMUP = Duration.ofSeconds(10);

  private final Map<String, Status> statuses = new ConcurrentHashMap<>();
  // the servers watched, in the order /_volumes shows them, each with its periodic check
  private final Map<String, ScheduledFuture<?>> servers =
      new java.util.LinkedHashMap<>(); // guarded by this
  private final VolumeClient client;
  private final ScheduledThreadPoolExecutor checker;
  private final long slowNanos;
  private final long intervalMillis;
  private final VolumeWatch watch;

  /** Servers with a check of their own scheduled soon ({@link #recheckSoon}). */
  private final java.util.Set<String> rechecks = ConcurrentHashMap.newKeySet();

  /** When each server down was first seen down (nanoTime), for {@link #downFor}. */
  private final Map<String, Long> downSince = new ConcurrentHashMap<>();

  /** The longest a volume that came back waits for its watch connection to reopen and check it. */
  private static final Duration WATCH_RETRY = Duration.ofSeconds(1);

  VolumeHealth(List<String> servers, VolumeClient client, Duration interval, Duration timeout) {
    this.client = client;
    this.slowNanos = timeout.toNanos() / 2;
    this.intervalMillis = interval.toMillis();
    // A thread per volume, so that one hung volume does not delay noticing another.
    this.checker =
        new ScheduledThreadPoolExecutor(
            servers.size(),
            r -> {
              Thread t = new Thread(r, "volume-health");
              t.setDaemon(true);
              return t;
            });
    checker.setRemoveOnCancelPolicy(true);
    // A volume process that dies closes its connections: check it the moment that happens.
    this.watch =
        new VolumeWatch(
            List.of(),
            timeout,
            interval.compareTo(WATCH_RETRY) < 0 ? interval : WATCH_RETRY,
            this::check);
    track(servers);
  }

  /** Watches these servers too (a placement that names new volumes); those already watched stay. */
  synchronized void track(List<String> more) {
    for (String server : more) {
      if (!servers.containsKey(server)) {
        statuses.put(
            server,
            // innocent until a check says otherwise
            new Status(server, State.UP, null, null, System.nanoTime()));
        checker.setCorePoolSize(servers.size() + 1);
        servers.put(
            server,
            checker.scheduleWithFixedDelay(
                () -> check(server), 0, intervalMillis, TimeUnit.MILLISECONDS));
        watch.add(server);
      }
    }
  }

  /** Stops watching the servers not in {@code keep}: no key is on them any more. */
  synchronized void retain(java.util.Collection<String> keep) {
    for (String server : List.copyOf(servers.keySet())) {
      if (!keep.contains(server)) {
        servers.remove(server).cancel(true);
        watch.remove(server);
        statuses.remove(server);
        downSince.remove(server);
      }
    }
  }

  /** Whether every server watched has been checked at least once since it was added. */
  boolean allChecked() {
    return statuses.values().stream()
        .allMatch(s -> s.lastSeen() != null || s.state() == State.DOWN);
  }

  /** How long {@code server} has been down, or null when it is not (or not watched). */
  Duration downFor(String server) {
    Long since = downSince.get(server);
    return since == null ? null : Duration.ofNanos(System.nanoTime() - since);
  }

  /** What is believed of the server of {@code replica} ({@code host:port[/svXX]}). */
  State state(String replica) {
    Status s = statuses.get(Placement.server(replica));
    return s == null ? State.UP : s.state();
  }

  /** Whether the server of {@code replica} is believed to take writes. */
  boolean writable(String replica) {
    State s = state(replica);
    return s == State.UP || s == State.SLOW;
  }

  /** Whether the server of {@code replica} is believed to answer (any state but down). */
  boolean reachable(String replica) {
    return state(replica) != State.DOWN;
  }

  /**
   * The replicas among {@code holders} believed to answer: the sources a move reads from, since one
   * down would cost a time-out per key.
   */
  List<String> reachableOf(List<String> holders) {
    return holders.stream().filter(this::reachable).toList();
  }

  /**
   * Why {@code record} cannot move to {@code want} now (a volume the move needs is down, or every
   * holder is), or null when it can.
   */
  String blocking(mkv.index.Record record, List<String> want) {
    List<String> holders = record.holders();
    List<String> targets = want.stream().filter(w -> !holders.contains(w)).toList();
    for (String target : targets) {
      if (!writable(target)) {
        return "volume "
            + Placement.server(target)
            + " is "
            + state(target).name().toLowerCase(java.util.Locale.ROOT);
      }
    }
    if (!targets.isEmpty() && holders.stream().noneMatch(this::reachable)) {
      return "every volume holding a key is down: " + holders;
    }
    for (String leaving : record.leaving()) {
      if (!reachable(leaving)) {
        return "volume "
            + Placement.server(leaving)
            + " is down (an old copy there is still to be deleted)";
      }
    }
    return null;
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
      down(server, e.getMessage(), old);
    }
  }

  private void down(String server, String error, Status old) {
    downSince.putIfAbsent(server, System.nanoTime());
    statuses.computeIfPresent(
        server,
        (s, was) -> new Status(server, State.DOWN, error, old.lastSeen(), was.watchedSince()));
  }

  synchronized List<Status> all() {
    List<Status> list = new ArrayList<>();
    for (String s : servers.keySet()) {
      Status status = statuses.get(s);
      if (status != null) {
        list.add(status);
      }
    }
    return list;
  }

  private void check(String server) {
    Status old = statuses.get(server);
    if (old == null) {
      return; // no longer watched
    }
    try {
      long start = System.nanoTime();
      int status = client.ping(server);
      long took = System.nanoTime() - start;
      // A volume (or this master) just started answers its first checks slowly while its JVM
      // warms up: that is not worth a warning.
      boolean warming = start - old.watchedSince() < WARMUP.toNanos();
      State now = status != 200 ? State.FULL : took > slowNanos && !warming ? State.SLOW : State.UP;
      String error =
          status == 507
              ? "507 on HEAD /: its disk is full"
              : status != 200 ? status + " on HEAD /: it cannot write" : null;
      if (old.state() != now) {
        LOG.info(
            "volume "
                + server
                + " is "
                + now.name().toLowerCase(java.util.Locale.ROOT)
                + (error == null ? "" : ": " + error));
      }
      downSince.remove(server);
      statuses.computeIfPresent(
          server, (s, was) -> new Status(server, now, error, Instant.now(), was.watchedSince()));
    } catch (VolumeException e) {
      if (old.state() != State.DOWN) {
        LOG.warning("volume " + server + " is down: " + e.getMessage());
      }
      down(server, e.getMessage(), old);
      recheckSoon(server);
    } catch (RuntimeException e) {
      LOG.warning("health check of " + server + " failed: " + e);
    }
  }

  /**
   * A volume whose check failed is checked again within {@link #WATCH_RETRY}, whatever the
   * background interval: its watch connection may have reopened while it was still starting (and
   * too slow to answer), and then nothing else would check it until the next background check.
   */
  private void recheckSoon(String server) {
    if (intervalMillis > WATCH_RETRY.toMillis() && rechecks.add(server)) {
      try {
        checker.schedule(
            () -> {
              rechecks.remove(server);
              check(server);
            },
            WATCH_RETRY.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        rechecks.remove(server);
      }
    }
  }

  @Override
  public void close() {
    watch.close();
    checker.shutdownNow();
  }
}
