package mkv.master;

import static mkv.testing.Http.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mkv.client.VolumeClient;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.ChildJvm;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import mkv.testing.ServerProcess;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master moves keys to a new placement while serving them: reads and writes keep working, a
 * kill of the master or of a volume in the middle only delays the end, and the index keeps the
 * placement so that a start with other volumes is refused.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OnlineRebalanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void movesEveryKeyWhileReadsAndWritesGoOn(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 5)) {
      List<String> all = c.addresses();
      List<String> old = all.subList(0, 3);
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), old)
              .replicas(2)
              .subvolumes(4)
              .moveGrace(Duration.ofMillis(300))
              .build());
      String url = c.master().baseUrl();
      Map<String, byte[]> values = new ConcurrentHashMap<>();
      for (int i = 0; i < 400; i++) {
        put(url, "/k" + i, values);
      }
      Load load = new Load(url, values);
      load.start();
      try {
        Reply started =
            Http.call(
                "POST", url + "/_rebalance?volumes=" + String.join(",", all) + "&workers=4", null);
        assertEquals(202, started.code(), started.text());
        JsonNode done = awaitDone(url);
        assertEquals("rebalance", done.path("why").asText());
        assertTrue(done.path("moved").asLong() > 50, "too few moved: " + done);
        Thread.sleep(300); // some load after the move too
      } finally {
        load.stop();
      }
      assertEquals(List.of(), load.errors(), "requests failed during the move");
      assertTrue(
          load.reads.get() > 100 && load.writes.get() > 10,
          "too little load: " + load.reads + " reads");
      Placement next = new Placement(all, 2, 4);
      assertEverywhereRight(url, values, next, all);

      // The index keeps the placement: a start with the old volumes is refused, one line saying
      // both.
      c.stopMaster();
      IOException refused =
          assertThrows(
              IOException.class,
              () ->
                  c.startMaster(
                      MasterConfig.builder(tmp.resolve("index"), old)
                          .replicas(2)
                          .subvolumes(4)
                          .build()));
      assertTrue(
          refused.getMessage().startsWith("the index holds volumes=" + String.join(",", all)),
          refused.getMessage());
      // Without --volumes a master runs what its index holds.
      try (ServerProcess again =
          ChildJvm.master(tmp, List.of("-Xmx128m"), 0, tmp.resolve("index"), null)) {
        String againUrl = "http://127.0.0.1:" + again.port();
        assertEquals("idle", status(againUrl).path("state").asText());
        assertEquals(
            new Placement(all, 2, 4).describe(), status(againUrl).path("placement").asText());
        assertEverywhereRight(againUrl, values, next, all);
      }
    }
  }

  @Test
  void aMasterKilledMidMoveResumesItWhenRestarted(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 4)) {
      List<String> all = c.addresses();
      List<String> old = all.subList(0, 2);
      Path index = tmp.resolve("index");
      ServerProcess master = startMaster(tmp, index, old, "2"); // 2 MiB/s: the move takes seconds
      try {
        String url = "http://127.0.0.1:" + master.port();
        Map<String, byte[]> values = new ConcurrentHashMap<>();
        for (int i = 0; i < 60; i++) {
          put(url, "/big" + i, values, 200_000);
        }
        assertEquals(
            202,
            Http.call("POST", url + "/_rebalance?volumes=" + String.join(",", all), null).code());
        assertTrue(
            eventually(Duration.ofSeconds(30), () -> status(url).path("moved").asLong() >= 5));
        master.kill();

        // Restarted with the new volumes (those the index now holds), it finishes the move by
        // itself.
        master = startMaster(tmp, index, all, "0");
        String again = "http://127.0.0.1:" + master.port();
        JsonNode done = awaitDone(again);
        assertEquals("resumed", done.path("why").asText());
        assertEverywhereRight(again, values, new Placement(all, 2, 1), all);
      } finally {
        master.close();
      }
    }
  }

  @Test
  void aVolumeKilledMidMoveOnlyDelaysIt(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 3)) {
      ServerProcess[] added = {
        ChildJvm.volume(tmp, 9, 0)
      }; // its own JVM, to be killed with SIGKILL
      try {
        String victim = "127.0.0.1:" + added[0].port();
        List<String> old = c.addresses();
        List<String> all = new ArrayList<>(old);
        all.add(victim);
        // --min-replicas 1: writes go on while a volume is down, recording it as missing; the move
        // fills it.
        c.startMaster(
            MasterConfig.builder(tmp.resolve("index"), old)
                .replicas(2)
                .subvolumes(1)
                .minReplicas(1)
                .moveGrace(Duration.ofMillis(200))
                .moveRate(1 << 20)
                .moveWorkers(2)
                .build());
        String url = c.master().baseUrl();
        Map<String, byte[]> values = new ConcurrentHashMap<>();
        for (int i = 0; i < 100; i++) {
          put(url, "/v" + i, values, 20_000);
        }
        assertEquals(
            202,
            Http.call("POST", url + "/_rebalance?volumes=" + String.join(",", all), null).code());
        assertTrue(
            eventually(Duration.ofSeconds(30), () -> status(url).path("moved").asLong() >= 3));
        added[0].kill(); // the new volume, mid-move: moves to it must wait
        assertTrue(
            eventually(Duration.ofSeconds(5), () -> Http.volumeState(url, victim).equals("down")));
        Load load = new Load(url, values);
        load.volumeDown = true;
        load.start();
        try {
          assertTrue(
              eventually(
                  Duration.ofSeconds(60),
                  () -> status(url).path("state").asText().equals("incomplete")),
              "a pass with a target down did not say so");
          assertTrue(
              status(url).path("waitingFor").asText().contains(victim), status(url).toString());
          added[0] = ChildJvm.volume(tmp, 9, added[0].port());
          awaitDone(url);
        } finally {
          load.stop();
        }
        assertEquals(
            List.of(), load.errors(), "requests failed while a volume was down during the move");
        assertEverywhereRight(url, values, new Placement(all, 2, 1), all);
      } finally {
        added[0].close();
      }
    }
  }

  // ---- helpers ----

  /** Reads of known keys (checking the bytes) and writes of new ones, until stopped. */
  private static final class Load {
    final String url;
    final Map<String, byte[]> values;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final List<String> errors = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    volatile boolean volumeDown;

    final List<String> keys; // read: those written before the load began

    Load(String url, Map<String, byte[]> values) {
      this.url = url;
      this.values = values;
      this.keys = List.copyOf(values.keySet());
    }

    void start() {
      for (int t = 0; t < 3; t++) {
        int n = t;
        Thread thread =
            new Thread(
                () -> {
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                  for (int i = 0; !stop.get() && System.nanoTime() < deadline; i++) {
                    try {
                      if (n == 0 && i % 4 == 0) {
                        String key = "/w" + Thread.currentThread().getId() + "-" + i;
                        put(url, key, values);
                        writes.incrementAndGet();
                        if (i % 8 == 0) {
                          Reply d = Http.delete(url + key);
                          values.remove(key);
                          // with a replica down, a DELETE fails by design (the key stays unlinked,
                          // never served)
                          if (d.code() != 204 && !(volumeDown && d.code() == 502)) {
                            error("DELETE " + key + ": " + d.code() + " " + d.text());
                          }
                        }
                      } else {
                        String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
                        byte[] got = Http.read(url + key);
                        if (!java.util.Arrays.equals(got, values.get(key))) {
                          error("GET " + key + ": wrong bytes");
                        }
                        reads.incrementAndGet();
                      }
                    } catch (IOException | AssertionError e) {
                      error(e.getMessage());
                    }
                  }
                });
        thread.start();
        threads.add(thread);
      }
    }

    synchronized void error(String e) {
      if (errors.size() < 10) {
        errors.add(e);
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
    }

    synchronized List<String> errors() {
      return List.copyOf(errors);
    }
  }

  static void put(String url, String key, Map<String, byte[]> values) throws IOException {
    put(url, key, values, 1 + ThreadLocalRandom.current().nextInt(2000));
  }

  private static void put(String url, String key, Map<String, byte[]> values, int size)
      throws IOException {
    byte[] value = new byte[size];
    ThreadLocalRandom.current().nextBytes(value);
    Reply r = Http.put(url + key, value);
    if (r.code() != 201) {
      throw new AssertionError("PUT " + key + ": " + r.code() + " " + r.text());
    }
    values.put(key, value);
  }

  static JsonNode status(String url) {
    try {
      return JSON.readTree(Http.get(url + "/_rebalance").body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode awaitDone(String url) {
    assertTrue(
        eventually(
            Duration.ofSeconds(120), () -> status(url).path("state").asText().equals("done")),
        () -> "the move did not finish: " + status(url));
    return status(url);
  }

  /**
   * Every key reads back its bytes, its record names the replicas {@code placement} wants, and each
   * volume holds exactly the files of the keys placed on it: nothing lost, nothing left behind.
   */
  static void assertEverywhereRight(
      String url, Map<String, byte[]> values, Placement placement, List<String> volumes)
      throws IOException {
    VolumeClient client = new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      String key = e.getKey();
      Reply r = Http.get(url + key);
      assertEquals(302, r.code(), key);
      List<String> want = placement.replicasFor(key);
      assertEquals(Set.copyOf(want), Set.of(r.header("Key-Volumes").split(",")), key);
      assertTrue(java.util.Arrays.equals(e.getValue(), Http.read(url + key)), key);
      for (String v : volumes) {
        String replica =
            want.stream()
                .filter(w -> Placement.server(w).equals(v))
                .findFirst()
                .orElse(
                    v
                        + placement
                            .replicasFor(key)
                            .get(0)
                            .substring(Placement.server(want.get(0)).length()));
        long size = client.size(replica, KeyPath.of(key));
        if (want.contains(replica)) {
          assertEquals(e.getValue().length, size, key + " on " + replica);
        } else {
          assertEquals(-1, size, key + " left behind on " + replica);
        }
      }
    }
  }

  private static ServerProcess startMaster(Path tmp, Path index, List<String> volumes, String rate)
      throws IOException {
    return ChildJvm.master(
        tmp,
        List.of("-Xmx128m"),
        0,
        index,
        volumes,
        "--replicas",
        "2",
        "--subvolumes",
        "1",
        "--move-rate",
        rate,
        "--move-workers",
        "2");
  }

  static List<String> keysOn(Placement p, String volume, int n) {
    return Stream.iterate(0, i -> i + 1)
        .map(i -> "/k" + i)
        .filter(k -> p.replicasFor(k).stream().anyMatch(r -> Placement.server(r).equals(volume)))
        .limit(n)
        .toList();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Path dir(Path tmp, String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name));
  }
}
