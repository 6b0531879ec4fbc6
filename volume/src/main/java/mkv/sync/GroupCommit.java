package mkv.sync;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One flush shared by every write that finished before it started, run by one thread.
 *
 * <p>{@link SyncMode#ALWAYS}: a write waits for the next flush that starts after it asked; writes
 * that arrive while a flush runs are covered together by the one after it, so under load each flush
 * covers many writes (LevelDB's writer queue and a database's group commit work the same way).
 * {@link SyncMode#BATCH}: a write is acknowledged at once and the thread flushes at most {@code
 * interval} later. {@link SyncMode#NONE}: nothing is flushed.
 */
public final class GroupCommit implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

  /** Makes every change that was made before it was called durable. */
  @FunctionalInterface
  public interface Flush {
    void run() throws IOException;
  }

  /** Told of each flush that succeeded: how long it took and how many waiting writes it covered. */
  @FunctionalInterface
  public interface Observer {
    void flushed(long nanos, int writes);
  }

  /** The longest a flush waits for more writers to join it. */
  private static final long MAX_LINGER_NANOS = 2_000_000;

  private static final int MAX_GROUP = 64;

  private record Waiter(Runnable done, Consumer<IOException> failed) {}

  private final String name;
  private final SyncMode mode;
  private final long intervalNanos;
  private final Flush flush;
  private final Thread thread;
  private final Object lock = new Object();
  private List<Waiter> waiting = new ArrayList<>();
  private boolean dirty;
  private long deadline; // when a dirty batch must be flushed (nanoTime)
  private boolean closed;
  private long lastFlushNanos;
  private int lastCovered;
  private final LongAdder flushes = new LongAdder();
  private final LongAdder covered = new LongAdder();
  private volatile Observer observer = (nanos, writes) -> {};

  /**
   * @param name names the flush thread and the log lines about it
   * @param interval how long a write may stay unflushed in {@link SyncMode#BATCH}
   */
  public GroupCommit(String name, SyncMode mode, Duration interval, Flush flush) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("--sync-interval must be positive");
    }
    this.name = name;
    this.mode = mode;
    this.intervalNanos = interval.toNanos();
    this.flush = flush;
    this.thread = new Thread(this::run, name + "-flush");
    thread.setDaemon(true);
    if (mode != SyncMode.NONE) {
      thread.start();
    }
  }

  /** Reports every later flush to {@code o} (for metrics), on the flush thread. */
  public void observe(Observer o) {
    observer = o;
  }

  public String name() {
    return name;
  }

  public SyncMode mode() {
    return mode;
  }

  /**
   * Called after a write returned: runs {@code done} once the write is as durable as the mode
   * promises, or {@code failed} if the flush failed. In {@link SyncMode#ALWAYS} that happens on the
   * flush thread (so the callbacks must only hand work on); otherwise at once, on this thread.
   */
  public void afterWrite(Runnable done, Consumer<IOException> failed) {
    if (mode == SyncMode.ALWAYS) {
      afterFlush(done, failed);
      return;
    }
    if (mode == SyncMode.BATCH) {
      synchronized (lock) {
        if (!dirty) {
          dirty = true;
          deadline = System.nanoTime() + intervalNanos;
          lock.notifyAll();
        }
      }
    }
    done.run();
  }

  /**
   * Runs {@code done} (on the flush thread) after a flush that started after this call, whatever
   * the mode but {@link SyncMode#NONE} (then at once): for a write that must be on disk before the
   * next step, such as the mark a DELETE leaves before it removes any copy.
   */
  public void afterFlush(Runnable done, Consumer<IOException> failed) {
    if (mode == SyncMode.NONE) {
      done.run();
      return;
    }
    synchronized (lock) {
      if (!closed) {
        waiting.add(new Waiter(done, failed));
        lock.notifyAll();
        return;
      }
    }
    failed.accept(new IOException(name + ": closed before the write was flushed"));
  }

  /**
   * {@link #afterWrite} for a thread that may block: returns once the write is durable per the
   * mode.
   */
  public void awaitWrite() throws IOException {
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    afterWrite(() -> flushed.complete(null), flushed::completeExceptionally);
    try {
      flushed.get();
    } catch (ExecutionException e) {
      throw (IOException) e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for " + name + " to flush");
    }
  }

  /**
   * Flushes done so far, and the waiting writes they covered: their ratio is the mean group size.
   */
  public long flushes() {
    return flushes.sum();
  }

  public long covered() {
    return covered.sum();
  }

  private void run() {
    while (true) {
      List<Waiter> batch;
      boolean stop;
      synchronized (lock) {
        while (!closed && waiting.isEmpty() && (!dirty || deadline - System.nanoTime() > 0)) {
          try {
            if (dirty) {
              long wait = deadline - System.nanoTime();
              lock.wait(wait / 1_000_000, (int) (wait % 1_000_000));
            } else {
              lock.wait();
            }
          } catch (InterruptedException e) {
            closed = true;
          }
        }
        // Writes are arriving concurrently (the last flush covered several): wait as long as that
        // flush took for more to join, so that one flush covers more of them. A lone writer never
        // waits.
        if (!closed && !waiting.isEmpty() && lastCovered > 1) {
          long until = System.nanoTime() + Math.min(lastFlushNanos, MAX_LINGER_NANOS);
          for (long w; waiting.size() < MAX_GROUP && (w = until - System.nanoTime()) > 0; ) {
            try {
              lock.wait(w / 1_000_000, (int) (w % 1_000_000));
            } catch (InterruptedException e) {
              closed = true;
              break;
            }
          }
        }
        stop = closed;
        if (waiting.isEmpty() && !dirty) {
          return; // closed, and nothing left to flush
        }
        batch = waiting;
        waiting = new ArrayList<>();
        dirty = false;
      }
      IOException failure = flushOnce(batch.size());
      if (failure != null && batch.isEmpty()) {
        LOG.log(
            Level.WARNING,
            name
                + ": background flush failed, writes since the last one may not be on disk: "
                + failure.getMessage());
      }
      for (Waiter w : batch) {
        if (failure == null) {
          w.done().run();
        } else {
          w.failed().accept(failure);
        }
      }
      if (stop && batch.isEmpty()) {
        return;
      }
    }
  }

  private IOException flushOnce(int writes) {
    long start = System.nanoTime();
    try {
      flush.run();
      synchronized (lock) {
        lastFlushNanos = System.nanoTime() - start;
        lastCovered = writes;
      }
      flushes.increment();
      covered.add(writes);
      observer.flushed(System.nanoTime() - start, writes);
      return null;
    } catch (IOException e) {
      return e;
    } catch (RuntimeException e) {
      return new IOException(name + ": flush failed: " + e, e);
    }
  }

  /** Flushes what is pending (waiters, or a dirty batch) one last time, then stops the thread. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (flushes.sum() > 0) {
      LOG.info(
          name + ": " + flushes.sum() + " flushes covered " + covered.sum() + " waiting writes");
    }
  }
}
