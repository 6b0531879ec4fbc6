package mkv.work;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed set of worker threads fed through a bounded window: {@link #submit} blocks while {@code 4
 * x workers} tasks are queued or running, so a producer streaming millions of keys (an index scan,
 * a volume walk) never holds more than that many in memory.
 */
public final class Pool implements AutoCloseable {
  private final ExecutorService threads;
  private final Semaphore window;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public Pool(String name, int workers) {
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.window = new Semaphore(4 * workers);
  }

  /** The default worker count: transfers wait on the network and disks, so several per core. */
  public static int defaultWorkers() {
    return Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs {@code task} on a worker, waiting for room in the window first. A task should handle its
   * own expected failures; anything it throws is kept and rethrown by {@link #finish}.
   */
  public void submit(Runnable task) throws InterruptedException {
    window.acquire();
    try {
      threads.execute(
          () -> {
            try {
              task.run();
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              window.release();
            }
          });
    } catch (RuntimeException e) {
      window.release();
      throw e;
    }
  }

  /**
   * Waits for every submitted task to end.
   *
   * @throws IllegalStateException carrying the first unexpected failure of a task
   */
  public void finish() throws InterruptedException {
    threads.shutdown();
    threads.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a worker failed unexpectedly: " + t, t);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
