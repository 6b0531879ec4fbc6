package mkv.master;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import mkv.client.VolumeException;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.index.Record;
import mkv.layout.Placement;
import mkv.move.KeyMover;
import mkv.move.Throttle;
import mkv.work.Pool;

/**
 * Moves keys, while the master serves them, to where the current placement puts them: after an
 * operator changed the placement ({@code POST /_rebalance}, or a start with {@code
 * --adopt-placement}), after a volume was down longer than {@code --replace-after} (its keys get
 * new copies on the next volumes in their ranking), and back when it returns.
 *
 * <p>A run makes passes over the index until one finds every key in place. Each key moves under the
 * key's lock (a PUT or DELETE of it waits for the move, never fails because of it) with a {@link
 * KeyMover}: copied and checked, then its record switched to the new replicas with the old ones
 * leaving; the leaving copies are deleted only after a grace period, once the switch is on disk, so
 * a client redirected to an old replica just before the switch still finds the bytes. Keys whose
 * new replica or every holder is down wait for a later pass. A placement change is stored in the
 * index first, so a master restarted in the middle resumes the run.
 */
final class Rebalancer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Rebalancer.class.getName());
  private static final int REPORTED_FAILURES = 20;
  private static final long RETRY_MAX_MILLIS = 30_000;

  /**
   * How a run stands: MOVING until a pass finds every key in place (DONE); INCOMPLETE between
   * passes that could not.
   */
  enum Phase {
    IDLE,
    MOVING,
    DONE,
    INCOMPLETE
  }

  private final Index index;
  private final KeyLocks locks;
  private final VolumeHealth health;
  private final CurrentPlacement current;
  private final mkv.client.VolumeClient client;
  private final Duration grace;
  private final Duration replaceAfter;
  private final int defaultWorkers;
  private final long defaultRate;
  private final ScheduledThreadPoolExecutor reaper;
  private final AtomicInteger drops = new AtomicInteger();
  private final KeyMover dropper;
  private long flushedAt =
      System.nanoTime() - TimeUnit.DAYS.toNanos(1); // guarded by this: when the last flush began
  private volatile Run run;
  private Thread runner; // guarded by this
  private volatile boolean closed;

  /** One run: toward one configured placement, its counters over every pass. */
  static final class Run {
    final Placement configured;
    final Set<String> replaced;
    final String why;
    final int workers;
    final KeyMover mover;
    final long rate;
    final Instant started = Instant.now();
    volatile Phase phase = Phase.MOVING;
    volatile Pass pass;
    volatile int passes;
    volatile Instant finished;
    volatile String waitingFor;
    final LongAdder moved = new LongAdder();
    final LongAdder movedBytes = new LongAdder();
    final LongAdder failed = new LongAdder();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    Run(
        Placement configured,
        Set<String> replaced,
        String why,
        int workers,
        long rate,
        mkv.client.VolumeClient client) {
      this.configured = configured;
      this.replaced = Set.copyOf(replaced);
      this.why = why;
      this.workers = workers;
      this.rate = rate;
      this.mover = new KeyMover(client, Throttle.of(rate));
    }
  }

  /** One pass over the index. */
  static final class Pass {
    final LongAdder scanned = new LongAdder();
    final LongAdder toMove = new LongAdder();
    final LongAdder toMoveBytes = new LongAdder();
    final LongAdder moved = new LongAdder();
    final LongAdder waiting = new LongAdder();
    final LongAdder failed = new LongAdder();
    final Queue<String> busy = new ConcurrentLinkedQueue<>();
  }

  /**
   * @param grace how long a replaced copy is kept after its record stopped naming it
   * @param replaceAfter how long a volume is down before its keys are copied elsewhere; zero for
   *     never
   * @param rate bytes per second the moves copy at most, 0 for no bound
   */
  Rebalancer(
      Index index,
      KeyLocks locks,
      VolumeHealth health,
      CurrentPlacement current,
      mkv.client.VolumeClient client,
      Duration grace,
      Duration replaceAfter,
      int workers,
      long rate) {
    this.index = index;
    this.locks = locks;
    this.health = health;
    this.current = current;
    this.client = client;
    this.grace = grace;
    this.replaceAfter = replaceAfter;
    this.defaultWorkers = workers;
    this.defaultRate = rate;
    this.dropper = new KeyMover(client, Throttle.of(0));
    this.reaper =
        new ScheduledThreadPoolExecutor(
            workers,
            r -> {
              Thread t = new Thread(r, "move-reaper");
              t.setDaemon(true);
              return t;
            });
  }

  /** At start-up: resumes a run a stop cut short. */
  void resumeIfUnfinished() {
    List<String> from = PlacementRecord.movingFrom(index);
    if (!from.isEmpty()) {
      health.track(from);
      LOG.info("resuming the move to " + current.configured() + " that a stop interrupted");
      launch(
          new Run(
              current.configured(),
              current.replaced(),
              "resumed",
              defaultWorkers,
              defaultRate,
              client));
    }
  }

  /**
   * Makes {@code next} the placement: new writes follow it at once, keys move in the background.
   * Asking again for the placement a run is moving to returns that run.
   *
   * @param workers keys moved at once, 0 for the default
   * @param rate bytes per second at most, -1 for the default, 0 for no bound
   */
  synchronized Run start(Placement next, int workers, long rate) {
    Run r = run;
    if (r != null && r.phase != Phase.DONE && r.configured.sameAs(next)) {
      return r;
    }
    // Another placement replaces the one a run moves to: records say where each key is, so the
    // new run simply moves every key from wherever it is (and a stuck run can be redirected).
    Placement was = current.configured();
    if (!next.sameAs(was)) {
      PlacementRecord.startMove(index, was, next); // on disk before any key moves
      health.track(next.volumes());
      Set<String> replaced = new HashSet<>(current.replaced());
      replaced.retainAll(next.volumes());
      if (next.volumes().size() - replaced.size() < next.replicas()) {
        replaced.clear();
      }
      current.set(next, replaced);
      LOG.info(
          "placement is now "
              + next
              + " (was "
              + was
              + "): new writes follow it, keys move in the background");
    }
    Run started =
        new Run(
            next,
            current.replaced(),
            "rebalance",
            workers > 0 ? workers : defaultWorkers,
            rate >= 0 ? rate : defaultRate,
            client);
    launch(started);
    return started;
  }

  /**
   * Checks (periodically) for volumes down longer than {@code --replace-after}, and for replaced
   * ones back.
   */
  void checkReplacements() {
    if (replaceAfter.isZero() || closed) {
      return;
    }
    synchronized (this) {
      Placement configured = current.configured();
      Set<String> replaced = new HashSet<>(current.replaced());
      List<String> changes = new ArrayList<>();
      for (String v : configured.volumes()) {
        Duration down = health.downFor(v);
        if (down == null && replaced.contains(v) && health.writable(v)) {
          replaced.remove(v);
          changes.add("volume " + v + " is back: its keys move back to it");
        } else if (down != null && down.compareTo(replaceAfter) >= 0 && !replaced.contains(v)) {
          if (configured.volumes().size() - replaced.size() - 1 < configured.replicas()) {
            continue; // too few volumes left to hold every replica elsewhere
          }
          replaced.add(v);
          changes.add(
              "volume "
                  + v
                  + " has been down for "
                  + down.toSeconds()
                  + " s (--replace-after "
                  + replaceAfter.toSeconds()
                  + " s): its keys get new copies on the other volumes");
        }
      }
      if (changes.isEmpty()) {
        return;
      }
      changes.forEach(LOG::warning);
      current.set(configured, replaced);
      Run r = run;
      if (r != null && r.phase != Phase.DONE && r.why.equals("rebalance")) {
        launch(
            new Run(
                configured,
                replaced,
                "rebalance",
                r.workers,
                r.rate,
                client)); // the operator's run goes on
      } else {
        launch(
            new Run(configured, replaced, "re-replication", defaultWorkers, defaultRate, client));
      }
    }
  }

  /** The run under way or last finished, or null. */
  Run run() {
    return run;
  }

  /** {@code GET /_rebalance}'s answer. */
  Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    Run r = run;
    m.put("state", r == null ? "idle" : r.phase.name().toLowerCase(java.util.Locale.ROOT));
    m.put("placement", current.configured().describe());
    m.put("replaced", List.copyOf(r == null ? current.replaced() : r.replaced));
    if (r == null) {
      return m;
    }
    Pass p = r.pass;
    m.put("why", r.why);
    m.put("target", r.configured.describe());
    m.put("pass", r.passes);
    if (p != null) {
      m.put("scanned", p.scanned.sum());
      m.put("toMove", p.toMove.sum());
      m.put("toMoveBytes", p.toMoveBytes.sum());
      m.put("passMoved", p.moved.sum());
      m.put("waiting", p.waiting.sum());
    }
    m.put("moved", r.moved.sum());
    m.put("movedBytes", r.movedBytes.sum());
    m.put("failed", r.failed.sum());
    m.put("waitingFor", r.waitingFor);
    m.put("failures", List.copyOf(r.failures));
    m.put("workers", r.workers);
    m.put("rateBytesPerSecond", r.rate);
    m.put("started", r.started.toString());
    m.put("finished", r.finished == null ? null : r.finished.toString());
    Instant end = r.finished == null ? Instant.now() : r.finished;
    m.put("elapsedSeconds", Duration.between(r.started, end).toMillis() / 1000.0);
    return m;
  }

  /** One line for logs and {@code /_volumes}: how far the run is. */
  String progress() {
    Run r = run;
    if (r == null) {
      return "idle";
    }
    Pass p = r.pass;
    return r.why
        + " "
        + r.phase.name().toLowerCase(java.util.Locale.ROOT)
        + ", pass "
        + r.passes
        + ": moved "
        + (p == null ? 0 : p.moved.sum())
        + " of "
        + (p == null ? 0 : p.toMove.sum())
        + " keys";
  }

  private synchronized void launch(Run r) {
    Thread previous = runner;
    run = r;
    runner =
        new Thread(
            () -> {
              if (previous != null) {
                try {
                  previous.join();
                } catch (InterruptedException e) {
                  return;
                }
              }
              try {
                loop(r);
              } catch (InterruptedException e) {
                // closing
              } catch (RuntimeException e) {
                LOG.severe("the move to " + r.configured + " stopped: " + e);
                r.phase = Phase.INCOMPLETE;
              }
            },
            "rebalance");
    runner.setDaemon(true);
    runner.start();
  }

  private boolean superseded(Run r) {
    return closed || run != r;
  }

  private void loop(Run r) throws InterruptedException {
    // Volumes not yet checked are believed up: wait to know which are down before choosing targets.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!health.allChecked() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long backoff = 1000;
    while (!superseded(r)) {
      r.phase = Phase.MOVING;
      Placement target = current.effective();
      Pass p = new Pass();
      r.pass = p;
      r.passes++;
      pass(r, p, target);
      while (drops.get() > 0 && !closed) {
        Thread.sleep(20);
      }
      if (superseded(r)) {
        return;
      }
      if (p.toMove.sum() == 0) {
        finish(r);
        return;
      }
      if (p.failed.sum() == 0 && p.waiting.sum() == 0) {
        continue; // all moved: the next pass checks that nothing is left
      }
      r.phase = Phase.INCOMPLETE;
      LOG.warning(
          progress()
              + "; "
              + p.waiting.sum()
              + " waiting ("
              + r.waitingFor
              + "), "
              + p.failed.sum()
              + " failed; trying again in "
              + backoff / 1000
              + " s");
      Thread.sleep(backoff);
      backoff = Math.min(RETRY_MAX_MILLIS, backoff * 2);
    }
  }

  private synchronized void finish(Run r) {
    if (run != r) {
      return;
    }
    if (current.replaced().isEmpty()) {
      PlacementRecord.store(index, r.configured); // no move left to resume
      health.retain(r.configured.volumes());
    }
    r.finished = Instant.now();
    r.phase = Phase.DONE;
    LOG.info(
        r.why
            + " to "
            + current.effective()
            + " done: moved "
            + r.moved.sum()
            + " keys ("
            + r.movedBytes.sum()
            + " bytes) in "
            + Duration.between(r.started, r.finished).toMillis()
            + " ms");
  }

  private void pass(Run r, Pass p, Placement target) throws InterruptedException {
    try (Pool pool = new Pool("move", r.workers);
        Index.Scan scan = index.scan("", null)) {
      while (scan.hasNext() && !superseded(r)) {
        Index.Entry e = scan.next();
        p.scanned.increment();
        if (settled(e.key(), e.record(), target)) {
          continue;
        }
        p.toMove.increment();
        p.toMoveBytes.add(Math.max(0, e.record().size()));
        pool.submit(() -> moveOne(r, p, e.key(), target));
      }
      pool.finish();
    }
    // Keys a write or delete held (or a write under the old placement not yet finished): a few more
    // tries.
    for (int attempt = 0; attempt < 10 && !p.busy.isEmpty() && !superseded(r); attempt++) {
      Thread.sleep(200);
      List<String> again = new ArrayList<>();
      for (String key; (key = p.busy.poll()) != null; ) {
        again.add(key);
      }
      for (String key : again) {
        moveOne(r, p, key, target);
      }
    }
    if (!p.busy.isEmpty()) {
      p.waiting.add(p.busy.size());
      r.waitingFor = "keys being written: " + p.busy.peek();
    }
  }

  /**
   * Whether the key needs no move: where the target puts it, nothing missing, no copy to delete.
   */
  private boolean settled(String key, Record record, Placement target) {
    if (record.state() == Record.State.DELETING) {
      return true; // its copies are where its record says; the DELETE's retry (or verify --repair)
      // ends it
    }
    if (!record.missing().isEmpty()) {
      return false;
    }
    for (String leaving : record.leaving()) {
      // A copy on a volume down and no longer placed is given up: nothing will send a reader there.
      String server = Placement.server(leaving);
      if (target.volumes().contains(server) || health.state(server) != VolumeHealth.State.DOWN) {
        return false;
      }
    }
    return target.fingerprint().equals(record.placement())
        || target.isBalanced(key, record.replicas());
  }

  private void moveOne(Run r, Pass p, String key, Placement target) {
    KeyLocks.Held held = locks.tryTakeForMove(key);
    if (held == null) {
      p.busy.add(key);
      return;
    }
    try (held) {
      Record record = index.get(key);
      if (record == null || settled(key, record, target)) {
        return; // deleted or written meanwhile
      }
      if (record.state() == Record.State.PENDING) {
        p.busy.add(key);
        return;
      }
      List<String> want = target.replicasFor(key);
      String blocked = blocked(record, want);
      if (blocked != null) {
        p.waiting.increment();
        r.waitingFor = blocked;
        return;
      }
      // Read from a holder believed up: one down would cost a time-out per key.
      List<String> sources =
          record.holders().stream()
              .filter(h -> health.state(h) != VolumeHealth.State.DOWN)
              .toList();
      Record moved = r.mover.copy(key, record, want, target.fingerprint(), sources);
      index.put(key, moved, false);
      p.moved.increment();
      r.moved.increment();
      r.movedBytes.add(Math.max(0, moved.size()));
      if (!moved.leaving().isEmpty()) {
        drop(key, System.nanoTime(), grace.toMillis());
      }
    } catch (IOException | RuntimeException e) {
      if (e.getCause() instanceof VolumeException v && v.status() == 0) {
        // The target did not answer: it is down (the health check may not know yet), so the key
        // waits.
        health.failed(v);
        p.waiting.increment();
        r.waitingFor = "volume " + Placement.server(v.volume()) + " is down";
        return;
      }
      p.failed.increment();
      r.failed.increment();
      String line = key + ": " + e.getMessage();
      if (r.failures.size() < REPORTED_FAILURES) {
        r.failures.add(line);
      }
      LOG.warning("could not move " + line);
    }
  }

  /** Why the key cannot move now (a volume it needs is down), or null. */
  private String blocked(Record record, List<String> want) {
    List<String> holders = record.holders();
    List<String> targets = want.stream().filter(w -> !holders.contains(w)).toList();
    for (String target : targets) {
      if (!health.writable(target)) {
        return "volume "
            + Placement.server(target)
            + " is "
            + health.state(target).name().toLowerCase(java.util.Locale.ROOT);
      }
    }
    if (!targets.isEmpty()
        && holders.stream().allMatch(h -> health.state(h) == VolumeHealth.State.DOWN)) {
      return "every volume holding a key is down: " + holders;
    }
    for (String leaving : record.leaving()) {
      if (health.state(leaving) == VolumeHealth.State.DOWN) {
        return "volume "
            + Placement.server(leaving)
            + " is down (an old copy there is still to be deleted)";
      }
    }
    return null;
  }

  /**
   * Brings home a key an overwrite staged ({@link Placement#staged}), after the grace that lets
   * readers sent to the old copies before the switch fetch them: the value is copied from the
   * staged copies over the old ones where placement wants it (each replaced whole by its volume's
   * rename; none is served meanwhile), the record switches to them, and the staged copies are
   * deleted after another grace. A record whose only staged copies are leaving (a failed overwrite)
   * has them deleted. Retried with a back-off while a volume it needs is down.
   */
  void settle(String key) {
    settle(key, grace.toMillis(), 1000);
  }

  private void settle(String key, long delayMillis, long backoffMillis) {
    if (closed) {
      return;
    }
    reaper.schedule(
        () -> {
          long retry = -1;
          KeyLocks.Held held = locks.tryTakeForMove(key);
          if (held == null) {
            retry = 50; // a write or delete of it is under way: try once it is done
          } else {
            try (held) {
              retry = settleNow(key) ? -1 : backoffMillis;
            } catch (IOException | RuntimeException e) {
              LOG.warning(
                  "key " + key + ": overwrite not settled yet (" + e.getMessage() + "); retrying");
              retry = backoffMillis;
            }
          }
          if (retry >= 0) {
            settle(key, retry, Math.min(RETRY_MAX_MILLIS, backoffMillis * 2));
          }
        },
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Under the key's move lock; false when a volume it needs is down (try later). */
  private boolean settleNow(String key) throws IOException {
    Record record = index.get(key);
    if (record == null
        || record.state() == Record.State.PENDING
        || record.state() == Record.State.DELETING) {
      return true; // deleted meanwhile, or in the hands of a write or delete
    }
    if (record.replicas().stream().anyMatch(Placement::isStaged)) {
      Placement target = current.effective();
      List<String> want = target.replicasFor(key);
      if (blocked(record, want) != null) {
        return false;
      }
      List<String> sources =
          record.holders().stream()
              .filter(h -> health.state(h) != VolumeHealth.State.DOWN)
              .toList();
      Record moved = dropper.copy(key, record, want, target.fingerprint(), sources);
      index.put(key, moved, false);
      if (!moved.leaving().isEmpty()) {
        drop(key, System.nanoTime(), grace.toMillis());
      }
    } else if (record.leaving().stream().anyMatch(Placement::isStaged)) {
      Record dropped =
          dropper.dropLeaving(key, record, l -> health.state(l) != VolumeHealth.State.DOWN);
      index.put(key, dropped, false);
      return dropped.leaving().stream().noneMatch(Placement::isStaged);
    }
    return true;
  }

  /**
   * Deletes the leaving copies of {@code key} after {@code delayMillis}, once its switch is on
   * disk.
   */
  private void drop(String key, long switchedAt, long delayMillis) {
    drops.incrementAndGet();
    reaper.schedule(
        () -> {
          boolean again = false;
          try {
            flushedAfter(switchedAt);
            KeyLocks.Held held = locks.tryTakeForMove(key);
            if (held == null) {
              again = true; // a write or delete of it: try once it is done
              return;
            }
            try (held) {
              Record record = index.get(key);
              if (record != null
                  && !record.leaving().isEmpty()
                  && record.state() != Record.State.PENDING
                  && record.state() != Record.State.DELETING) {
                index.put(
                    key,
                    dropper.dropLeaving(
                        key, record, l -> health.state(l) != VolumeHealth.State.DOWN),
                    false);
              }
            }
          } catch (IOException | RuntimeException e) {
            LOG.warning(
                "key "
                    + key
                    + ": old copies not deleted yet ("
                    + e.getMessage()
                    + "); the next pass retries");
          } finally {
            if (again && !closed) {
              drop(key, switchedAt, 50);
            }
            drops.decrementAndGet();
          }
        },
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Returns once an index flush that began after {@code switchedAt} (nanoTime) has ended. */
  private synchronized void flushedAfter(long switchedAt) throws IOException {
    if (flushedAt - switchedAt <= 0) {
      long began = System.nanoTime();
      index.flush();
      flushedAt = began;
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = runner;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    reaper.shutdownNow();
    try {
      // a settle or a delete under way still uses the index, which the master closes next
      reaper.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
