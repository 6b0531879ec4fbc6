package mkv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read cache over a real LevelDB index: a write is seen by every read that starts after it
 * returned.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadCacheTest {
  @TempDir Path dir;

  private static Record live(long size) {
    return Record.live(List.of("a:1")).withSize(size);
  }

  @Test
  void everyWriteIsSeenByTheNextRead() throws Exception {
    try (Index index = Index.open(dir)) {
      AtomicInteger derived = new AtomicInteger();
      ReadCache<Record> cache =
          new ReadCache<>(
              index,
              (key, record) -> {
                derived.incrementAndGet();
                return record;
              });
      assertNull(cache.get("/k"));
      assertNull(cache.get("/k"));
      assertEquals(1, derived.get(), "a cached miss does not read LevelDB again");

      index.put("/k", live(1), false);
      assertEquals(1, cache.get("/k").size());
      assertEquals(1, cache.get("/k").size());
      assertEquals(2, derived.get());

      index.put("/k", live(1).withState(Record.State.UNLINKED), true);
      assertEquals(Record.State.UNLINKED, cache.get("/k").state());
      index.delete("/k", false);
      assertNull(cache.get("/k"));
    }
  }

  @Test
  void concurrentReadersNeverSeeARecordOlderThanTheLastReturnedWrite() throws Exception {
    try (Index index = Index.open(dir)) {
      ReadCache<Record> cache = new ReadCache<>(index, (key, record) -> record);
      AtomicLong lastWritten = new AtomicLong(0);
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<String> failure = new AtomicReference<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int writes = 20_000;
      index.put("/hot", live(0), false);
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        int id = r;
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0;
                      !done.get() && System.nanoTime() < deadline && failure.get() == null;
                      i++) {
                    long floor = lastWritten.get();
                    long seen = cache.get("/hot").size();
                    if (seen < floor) {
                      failure.set(
                          "read size " + seen + " after the write of " + floor + " had returned");
                    }
                    cache.get(
                        "/other-"
                            + id
                            + "-"
                            + (i % 50_000)); // churn other slots, colliding ones included
                  }
                });
        t.start();
        readers.add(t);
      }
      for (long v = 1; v <= writes && System.nanoTime() < deadline; v++) {
        index.put("/hot", live(v), false);
        lastWritten.set(v);
      }
      done.set(true);
      for (Thread t : readers) {
        t.join();
      }
      assertNull(failure.get(), failure.get());
      assertEquals(lastWritten.get(), cache.get("/hot").size());
      assertTrue(lastWritten.get() > 1000, "enough writes raced the readers: " + lastWritten.get());
    }
  }
}
