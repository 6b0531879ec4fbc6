package mkv.master;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import mkv.client.VolumeException;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.index.Record;
import mkv.layout.Placement;
import mkv.move.KeyMover;
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

  /** How much longer a whole-index pass waits than a pass over the keys left. */
  private static final long FULL_PASS_BACKOFF = 10;

  private final Index index;
  private final KeyLocks locks;
  private final VolumeHealth health;
  private final CurrentPlacement current;
  private final mkv.client.VolumeClient client;
  private final LeavingReaper reaper;
  private final int defaultWorkers;
  private final long defaultRate;
  private volatile RebalanceRun run;
  private Thread runner; // guarded by this
  private volatile boolean closed;

  /**
   * @param workers keys moved at once by default
   * @param rate bytes per second the moves copy at most by default, 0 for no bound
   */
  Rebalancer(
      Index index,
      KeyLocks locks,
      VolumeHealth health,
      CurrentPlacement current,
      mkv.client.VolumeClient client,
      LeavingReaper reaper,
      int workers,
      long rate) {
    this.index = index;
    this.locks = locks;
    this.health = health;
    this.current = current;
    this.client = client;
    this.reaper = reaper;
    this.defaultWorkers = workers;
    this.defaultRate = rate;
  }

  /** At start-up: resumes a run a stop cut short. */
  void resumeIfUnfinished() {
    List<String> from = PlacementRecord.movingFrom(index);
    if (!from.isEmpty()) {
      health.track(from);
      LOG.info("resuming the move to " + current.configured() + " that a stop interrupted");
      launch(
          new RebalanceRun(
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
  synchronized RebalanceRun start(Placement next, int workers, long rate) {
    RebalanceRun r = run;
    if (r != null && r.phase != RebalanceRun.Phase.DONE && r.configured.sameAs(next)) {
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
    RebalanceRun started =
        new RebalanceRun(
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
   * Makes {@code replaced} the volumes of the configured placement that no longer count (being down
   * too long, see {@link ReplacementWatch}) and moves keys accordingly; an operator's run under way
   * goes on toward the new effective placement. Callers hold this rebalancer's lock while they
   * decide, so that no run starts between their decision and this switch.
   */
  synchronized void replace(Set<String> replaced) {
    Placement configured = current.configured();
    current.set(configured, replaced);
    RebalanceRun r = run;
    if (r != null && r.phase != RebalanceRun.Phase.DONE && r.why.equals("rebalance")) {
      launch(new RebalanceRun(configured, replaced, "rebalance", r.workers, r.rate, client));
    } else {
      launch(
          new RebalanceRun(
              configured, replaced, "re-replication", defaultWorkers, defaultRate, client));
    }
  }

  /** The run under way or last finished, or null. */
  RebalanceRun run() {
    return run;
  }

  /** One line for logs and {@code /_volumes}: how far the run is. */
  String progress() {
    RebalanceRun r = run;
    return r == null ? "idle" : r.progress();
  }

  private synchronized void launch(RebalanceRun r) {
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
                r.phase = RebalanceRun.Phase.INCOMPLETE;
              }
            },
            "rebalance");
    runner.setDaemon(true);
    runner.start();
  }

  private boolean superseded(RebalanceRun r) {
    return closed || run != r;
  }

  private void loop(RebalanceRun r) throws InterruptedException {
    // Volumes not yet checked are believed up: wait to know which are down before choosing targets.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!health.allChecked() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long backoff = 1000;
    Set<String> retry = null; // the keys an incomplete pass left, when few enough to remember
    while (!superseded(r)) {
      r.phase = RebalanceRun.Phase.MOVING;
      Placement target = current.effective();
      RebalanceRun.Pass p = new RebalanceRun.Pass();
      r.pass = p;
      r.passes++;
      pass(r, p, target, retry);
      while (reaper.busy() && !closed) {
        Thread.sleep(20);
      }
      if (superseded(r)) {
        return;
      }
      boolean complete = p.failed.sum() == 0 && p.waiting.sum() == 0;
      if (p.toMove.sum() == 0 && retry == null) {
        finish(r);
        return;
      }
      if (complete) {
        retry = null;
        continue; // all moved: the next pass, over the whole index, checks that nothing is left
      }
      // Only the keys left are tried again, not the whole index, unless there are too many to
      // remember: then the whole index, less often.
      retry = p.overflowed() ? null : p.left();
      long wait = retry == null ? backoff * FULL_PASS_BACKOFF : backoff;
      r.phase = RebalanceRun.Phase.INCOMPLETE;
      LOG.warning(
          progress()
              + "; "
              + p.waiting.sum()
              + " waiting ("
              + r.waitingFor
              + "), "
              + p.failed.sum()
              + " failed; trying "
              + (retry == null ? "the whole index" : retry.size() + " keys")
              + " again in "
              + wait / 1000
              + " s");
      Thread.sleep(wait);
      backoff = Math.min(RETRY_MAX_MILLIS, backoff * 2);
    }
  }

  private synchronized void finish(RebalanceRun r) {
    if (run != r) {
      return;
    }
    if (current.replaced().isEmpty()) {
      PlacementRecord.store(index, r.configured); // no move left to resume
      health.retain(r.configured.volumes());
    }
    r.finished = Instant.now();
    r.phase = RebalanceRun.Phase.DONE;
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

  /** A pass over the whole index, or over {@code only} those keys when not null. */
  private void pass(RebalanceRun r, RebalanceRun.Pass p, Placement target, Set<String> only)
      throws InterruptedException {
    try (Pool pool = new Pool("move", r.workers)) {
      if (only == null) {
        try (Index.Scan scan = index.scan("", null)) {
          while (scan.hasNext() && !superseded(r)) {
            Index.Entry e = scan.next();
            consider(r, p, target, pool, e.key(), e.record());
          }
        }
      } else {
        for (String key : only) {
          Record record = index.get(key);
          if (record == null || superseded(r)) {
            continue;
          }
          consider(r, p, target, pool, key, record);
        }
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
      p.busy.forEach(p::leave);
    }
  }

  private void consider(
      RebalanceRun r, RebalanceRun.Pass p, Placement target, Pool pool, String key, Record record)
      throws InterruptedException {
    p.scanned.increment();
    if (settled(key, record, target)) {
      return;
    }
    p.toMove.increment();
    p.toMoveBytes.add(Math.max(0, record.size()));
    pool.submit(() -> moveOne(r, p, key, target));
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
      if (target.volumes().contains(server) || health.reachable(server)) {
        return false;
      }
    }
    return target.fingerprint().equals(record.placement())
        || target.isBalanced(key, record.replicas());
  }

  private void moveOne(RebalanceRun r, RebalanceRun.Pass p, String key, Placement target) {
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
      String blocked = health.blocking(record, want);
      if (blocked != null) {
        p.waiting.increment();
        p.leave(key);
        r.waitingFor = blocked;
        return;
      }
      Record moved =
          r.mover.copy(
              key, record, want, target.fingerprint(), health.reachableOf(record.holders()));
      index.put(key, moved, false);
      p.moved.increment();
      r.moved.increment();
      r.movedBytes.add(Math.max(0, moved.size()));
      if (!moved.leaving().isEmpty()) {
        reaper.drop(key);
      }
    } catch (IOException | RuntimeException e) {
      if (e.getCause() instanceof VolumeException v && v.status() == 0) {
        // The target did not answer: it is down (the health check may not know yet), so the key
        // waits.
        health.failed(v);
        p.waiting.increment();
        p.leave(key);
        r.waitingFor = "volume " + Placement.server(v.volume()) + " is down";
        return;
      }
      p.failed.increment();
      p.leave(key);
      r.failed.increment();
      String line = key + ": " + e.getMessage();
      if (r.failures.size() < REPORTED_FAILURES) {
        r.failures.add(line);
      }
      LOG.warning("could not move " + line);
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
  }
}
