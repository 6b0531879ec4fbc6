package mkv.master;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.Record;
import mkv.move.KeyMover;

/**
 * Deletes the copies a record no longer serves (its leaving copies: left by a move or an overwrite)
 * after a grace, so that a client redirected to an old copy just before the switch still finds the
 * bytes; and only once the switch is on disk, so that no crash can bring back a record naming a
 * deleted copy. Also runs the {@link OverwriteSettler}'s delayed work, on the same threads.
 */
final class LeavingReaper implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LeavingReaper.class.getName());

  private final Index index;
  private final KeyLocks locks;
  private final VolumeHealth health;
  private final KeyMover dropper;
  private final Duration grace;
  private final ScheduledThreadPoolExecutor executor;
  private final AtomicInteger drops = new AtomicInteger();
  private long flushedAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1); // guarded by this
  private volatile boolean closed;

  LeavingReaper(
      Index index,
      KeyLocks locks,
      VolumeHealth health,
      KeyMover dropper,
      Duration grace,
      int threads) {
    this.index = index;
    this.locks = locks;
    this.health = health;
    this.dropper = dropper;
    this.grace = grace;
    this.executor =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, "move-reaper");
              t.setDaemon(true);
              return t;
            });
  }

  /** How long a leaving copy is kept after its record stopped naming it. */
  Duration grace() {
    return grace;
  }

  /** Whether some leaving copies are still to be deleted (a rebalance pass waits for them). */
  boolean busy() {
    return drops.get() > 0;
  }

  /** Runs {@code task} after {@code delayMillis}, unless closed. */
  void schedule(Runnable task, long delayMillis) {
    if (!closed) {
      executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** Deletes the leaving copies of {@code key}, whose record has just switched, after the grace. */
  void drop(String key) {
    drop(key, System.nanoTime(), grace.toMillis());
  }

  private void drop(String key, long switchedAt, long delayMillis) {
    drops.incrementAndGet();
    executor.schedule(
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
                index.put(key, dropper.dropLeaving(key, record, health::reachable), false);
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
    closed = true;
    executor.shutdownNow();
    try {
      // a settle or a delete under way still uses the index, which the master closes next
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
