package mkv.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What each mode promises a writer, with a flush that counts itself. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupCommitTest {
  private final AtomicInteger flushes = new AtomicInteger();
  // the number of writes made before the last flush started: a waiter's write must be among them
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong coveredUpTo = new AtomicLong();

  private GroupCommit commit(SyncMode mode, Duration interval) {
    return new GroupCommit(
        "test",
        mode,
        interval,
        () -> {
          coveredUpTo.set(writes.get());
          flushes.incrementAndGet();
          sleep(2); // a flush takes time: writers arriving meanwhile share the next one
        });
  }

  @Test
  void alwaysAnswersEachWriteAfterAFlushThatStartedAfterItAndSharesFlushes() throws Exception {
    int writers = 8;
    int each = 50;
    List<Thread> threads = new ArrayList<>();
    AtomicInteger uncovered = new AtomicInteger();
    try (GroupCommit c = commit(SyncMode.ALWAYS, Duration.ofMillis(50))) {
      for (int w = 0; w < writers; w++) {
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; i < each; i++) {
                    long mine = writes.incrementAndGet();
                    try {
                      c.awaitWrite();
                    } catch (IOException e) {
                      throw new AssertionError(e);
                    }
                    if (coveredUpTo.get() < mine) {
                      uncovered.incrementAndGet();
                    }
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(0, uncovered.get(), "a write was answered before a flush covered it");
      assertTrue(flushes.get() < writers * each, "no flush was shared: " + flushes.get());
      assertEquals(writers * each, c.covered());
    }
  }

  @Test
  void aFailedFlushFailsTheWritesItCovered() {
    try (GroupCommit c =
        new GroupCommit(
            "test",
            SyncMode.ALWAYS,
            Duration.ofMillis(50),
            () -> {
              throw new IOException("disk on fire");
            })) {
      IOException e = assertThrows(IOException.class, c::awaitWrite);
      assertEquals("disk on fire", e.getMessage());
    }
  }

  @Test
  void batchAnswersWithoutWaitingForAFlushAndFlushesWithinTheInterval() throws Exception {
    CountDownLatch diskStuck = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    try (GroupCommit c =
        new GroupCommit(
            "test",
            SyncMode.BATCH,
            Duration.ofMillis(30),
            () -> {
              started.incrementAndGet();
              try {
                diskStuck.await(); // held until the writer has its answer
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              flushes.incrementAndGet();
            })) {
      c.awaitWrite(); // returns although no flush can finish: batch does not wait
      assertEquals(0, flushes.get(), "batch waited for a flush");
      diskStuck.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (flushes.get() == 0 && System.nanoTime() < deadline) {
        sleep(1);
      }
      assertEquals(1, flushes.get(), "the write was flushed in the background");
      CountDownLatch flushed = new CountDownLatch(1);
      c.afterFlush(flushed::countDown, e -> {});
      assertTrue(
          flushed.await(10, TimeUnit.SECONDS),
          "afterFlush waits for a real flush in batch mode too");
      assertEquals(started.get(), flushes.get());
    }
  }

  @Test
  void batchDoesNotFlushWhenNothingWasWritten() throws Exception {
    try (GroupCommit c = commit(SyncMode.BATCH, Duration.ofMillis(10))) {
      c.awaitWrite();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (flushes.get() == 0 && System.nanoTime() < deadline) {
        sleep(1);
      }
      assertEquals(1, flushes.get());
      sleep(100); // ten intervals with nothing written
      assertEquals(1, flushes.get(), "nothing new was written: no flush");
    }
  }

  @Test
  void batchFlushesWhatIsLeftWhenClosed() throws Exception {
    GroupCommit c = commit(SyncMode.BATCH, Duration.ofHours(1));
    c.awaitWrite();
    assertEquals(0, flushes.get());
    c.close();
    assertEquals(1, flushes.get());
  }

  @Test
  void noneNeverFlushes() throws Exception {
    try (GroupCommit c = commit(SyncMode.NONE, Duration.ofMillis(1))) {
      c.awaitWrite();
      CountDownLatch done = new CountDownLatch(1);
      c.afterFlush(done::countDown, e -> {});
      assertEquals(0, done.getCount());
      sleep(20);
    }
    assertEquals(0, flushes.get());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
