package mkv.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mkv.testing.ChildJvm;
import mkv.testing.Http;
import mkv.testing.ServerProcess;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promise every {@code --sync} mode makes about a crash of the processes: kill -9 of the master
 * and every volume at once, under a load of PUTs and DELETEs, loses nothing acknowledged. After a
 * restart every value whose PUT got a 201 reads back byte-identical, and every key whose DELETE got
 * a 204 stays gone. (A crash of the machine is what separates the modes; that needs a power switch,
 * not a test.)
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashTest {
  private static final int VOLUMES = 3;
  private static final int WRITERS = 6;
  private static final Duration LOAD = Duration.ofSeconds(4);
  private static final Duration MAX_LOAD = Duration.ofSeconds(30);
  private static final int MIN_ACKNOWLEDGED = 50;

  private final OkHttpClient http =
      Http.CLIENT
          .newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .readTimeout(Duration.ofSeconds(10))
          .writeTimeout(Duration.ofSeconds(10))
          .build();

  @ParameterizedTest
  @ValueSource(strings = {"always", "batch", "none"})
  void killingEveryServerLosesNothingAcknowledged(String sync, @TempDir Path tmp) throws Exception {
    ServerProcess[] volumes = new ServerProcess[VOLUMES];
    int[] ports = new int[VOLUMES];
    ServerProcess master = null;
    Map<String, byte[]> stored = new ConcurrentHashMap<>();
    Map<String, Boolean> deleted = new ConcurrentHashMap<>();
    AtomicInteger acknowledged = new AtomicInteger();
    try {
      for (int i = 0; i < VOLUMES; i++) {
        volumes[i] = ChildJvm.volume(tmp, i, 0, "--sync", sync);
        ports[i] = volumes[i].port();
      }
      master = startMaster(tmp, ports, sync);
      String url = "http://127.0.0.1:" + master.port();

      AtomicBoolean killed = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        writers.add(pool.submit(() -> write(url, id, killed, stored, deleted, acknowledged)));
      }
      // at least LOAD, and on until enough writes were acknowledged (a loaded machine is slow)
      long start = System.nanoTime();
      while (System.nanoTime() - start < LOAD.toNanos()
          || acknowledged.get() < MIN_ACKNOWLEDGED
              && System.nanoTime() - start < MAX_LOAD.toNanos()) {
        Thread.sleep(50);
      }
      // every server at once, mid-load
      master.kill();
      for (ServerProcess v : volumes) {
        v.kill();
      }
      killed.set(true);
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
      for (Future<?> f : writers) {
        f.get();
      }
      assertTrue(
          acknowledged.get() >= MIN_ACKNOWLEDGED,
          "the load made only " + acknowledged.get() + " acknowledged writes");

      for (int i = 0; i < VOLUMES; i++) {
        volumes[i] = ChildJvm.volume(tmp, i, ports[i], "--sync", sync);
      }
      master = startMaster(tmp, ports, sync);
      String after = "http://127.0.0.1:" + master.port();
      // the restarted master may find a volume slow to answer its first check: wait for all up
      List<String> names = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toList();
      assertTrue(Http.allUp(after, names), "the restarted volumes are not all up");
      for (Map.Entry<String, byte[]> e : stored.entrySet()) {
        assertTrue(
            Arrays.equals(e.getValue(), Http.read(after + e.getKey())),
            "the value of " + e.getKey() + " changed");
      }
      for (String key : deleted.keySet()) {
        assertEquals(404, Http.get(after + key).code(), key + " was deleted (204) but came back");
      }
    } finally {
      if (master != null) {
        master.close();
      }
      for (ServerProcess v : volumes) {
        if (v != null) {
          v.close();
        }
      }
    }
  }

  /**
   * PUTs fresh keys (small values, and every tenth one large enough to be streamed) and DELETEs
   * some of its own acknowledged ones, until the servers are killed. Only answers received count:
   * an operation cut short by the kill has no promised outcome.
   */
  private void write(
      String url,
      int id,
      AtomicBoolean killed,
      Map<String, byte[]> stored,
      Map<String, Boolean> deleted,
      AtomicInteger acknowledged) {
    Random random = new Random(id);
    List<String> mine = new ArrayList<>();
    for (int n = 0; !killed.get() && n < 100_000; n++) {
      try {
        if (mine.size() > 4 && random.nextInt(4) == 0) {
          String key = mine.remove(random.nextInt(mine.size()));
          stored.remove(key); // while the DELETE is under way, either outcome is allowed
          if (send("DELETE", url + key, null) == 204) {
            deleted.put(key, true);
            acknowledged.incrementAndGet();
          }
          continue;
        }
        String key = "/crash/" + id + "/" + n;
        byte[] value = new byte[n % 10 == 0 ? 300_000 : 1 + random.nextInt(2000)];
        random.nextBytes(value);
        if (send("PUT", url + key, value) == 201) {
          stored.put(key, value);
          mine.add(key);
          acknowledged.incrementAndGet();
        }
      } catch (IOException e) {
        // the servers are gone (or going): no answer, no promise
      }
    }
  }

  private int send(String method, String url, byte[] body) throws IOException {
    RequestBody rb = body == null ? null : RequestBody.create(body, Http.OCTETS);
    try (Response r =
        http.newCall(new Request.Builder().url(url).method(method, rb).build()).execute()) {
      return r.code();
    }
  }

  private static ServerProcess startMaster(Path tmp, int[] ports, String sync) throws IOException {
    List<String> names = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toList();
    return ChildJvm.master(
        tmp,
        List.of(),
        0,
        tmp.resolve("index"),
        names,
        "--replicas",
        "2",
        "--subvolumes",
        "4",
        "--sync",
        sync);
  }
}
