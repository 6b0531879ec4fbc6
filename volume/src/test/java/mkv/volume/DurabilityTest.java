package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mkv.sync.SyncMode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --sync}: when the file system is flushed for the PUTs a volume answered. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurabilityTest {
  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final int PUTS = 24;

  @TempDir Path dir;

  /**
   * PUTs small values from several threads and one streamed large one; returns the values by path.
   */
  private static List<byte[]> putAll(VolumeServer v) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<byte[]>> done = new ArrayList<>();
      for (int i = 0; i < PUTS; i++) {
        int n = i;
        done.add(
            pool.submit(
                () -> {
                  byte[] value = new byte[n == 0 ? 300_000 : 100 + n];
                  new Random(n).nextBytes(value);
                  Request r =
                      new Request.Builder()
                          .url(v.baseUrl() + "/d/" + n)
                          .put(RequestBody.create(value, MediaType.get("application/octet-stream")))
                          .build();
                  try (Response res = HTTP.newCall(r).execute()) {
                    assertEquals(201, res.code());
                  }
                  return value;
                }));
      }
      List<byte[]> values = new ArrayList<>();
      for (Future<byte[]> f : done) {
        values.add(f.get());
      }
      return values;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertStored(VolumeServer v, List<byte[]> values) throws Exception {
    for (int i = 0; i < values.size(); i++) {
      assertArrayEquals(values.get(i), Files.readAllBytes(v.dir().resolve("d/" + i)));
    }
  }

  @Test
  void alwaysFlushesBeforeAnsweringAndSharesFlushes() throws Exception {
    try (VolumeServer v = VolumeServer.start(VolumeConfig.of(dir, "127.0.0.1", 0))) {
      assertEquals(0, v.flushes());
      List<byte[]> values = putAll(v);
      long flushes = v.flushes();
      assertTrue(flushes >= 1 && flushes <= PUTS, "flushes " + flushes + " for " + PUTS + " PUTs");
      assertStored(v, values);
    }
  }

  @Test
  void batchAnswersFirstAndFlushesWithinTheInterval() throws Exception {
    try (VolumeServer v =
        VolumeServer.start(
            VolumeConfig.of(dir, "127.0.0.1", 0)
                .withSync(SyncMode.BATCH, Duration.ofMillis(100)))) {
      List<byte[]> values = putAll(v);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (v.flushes() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(v.flushes() >= 1, "no background flush after the writes");
      assertStored(v, values);
    }
  }

  @Test
  void noneNeverFlushes() throws Exception {
    try (VolumeServer v =
        VolumeServer.start(
            VolumeConfig.of(dir, "127.0.0.1", 0).withSync(SyncMode.NONE, Duration.ofMillis(1)))) {
      List<byte[]> values = putAll(v);
      assertStored(v, values);
      assertEquals(0, v.flushes());
    }
  }
}
