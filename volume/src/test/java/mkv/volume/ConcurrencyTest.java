package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Readers racing writers of the same path see a whole old or a whole new file, never a mix. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyTest {
  static final OkHttpClient HTTP = new OkHttpClient();
  static final int SIZE = 256 * 1024;

  @Test
  void readersNeverSeeAPartialPut(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (VolumeServer v = VolumeServer.start(dir, "127.0.0.1", 0)) {
      String url = v.baseUrl() + "/5d/41/same";
      put(url, (byte) 'A');
      Future<?>[] writers = new Future<?>[2];
      for (int w = 0; w < writers.length; w++) {
        byte fill = (byte) ('B' + w);
        writers[w] =
            pool.submit(
                () -> {
                  for (int i = 0; i < 40; i++) {
                    put(url, fill);
                  }
                  return null;
                });
      }
      Future<Integer> reader =
          pool.submit(
              () -> {
                int reads = 0;
                for (int i = 0; i < 200; i++) {
                  try (Response r =
                      HTTP.newCall(new Request.Builder().url(url).build()).execute()) {
                    byte[] body = r.body().bytes();
                    assertEquals(200, r.code());
                    assertEquals(SIZE, body.length);
                    byte first = body[0];
                    byte[] uniform = new byte[SIZE];
                    Arrays.fill(uniform, first);
                    assertTrue(Arrays.equals(uniform, body), "mixed content in one read");
                    reads++;
                  }
                }
                return reads;
              });
      for (Future<?> w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
      assertEquals(200, reader.get(60, TimeUnit.SECONDS));
      try (var tmp = Files.list(dir.resolve(".tmp"))) {
        assertEquals(0, tmp.count(), "no temp files left");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static void put(String url, byte fill) throws Exception {
    byte[] body = new byte[SIZE];
    Arrays.fill(body, fill);
    RequestBody rb = RequestBody.create(body, MediaType.get("application/octet-stream"));
    try (Response r = HTTP.newCall(new Request.Builder().url(url).put(rb).build()).execute()) {
      assertEquals(201, r.code());
    }
  }
}
