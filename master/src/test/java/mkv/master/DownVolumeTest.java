package mkv.master;

import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static mkv.testing.Http.volumeState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.index.Index;
import mkv.layout.Placement;
import mkv.testing.Http.Reply;
import mkv.volume.VolumeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PUT whose replicas include a volume known to be down does not wait for it (the stall time-out
 * is 20 s).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DownVolumeTest {
  @TempDir Path tmp;
  private final List<VolumeServer> volumes = new ArrayList<>();
  private ServerSocket hung;
  private List<String> addresses;
  private String dead;

  /** Two volumes, and a hung one: it takes connections (the kernel's backlog) but never answers. */
  @BeforeEach
  void startVolumes() throws Exception {
    hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    dead = "127.0.0.1:" + hung.getLocalPort();
    for (int i = 1; i < 3; i++) {
      volumes.add(
          VolumeServer.start(Files.createDirectories(tmp.resolve("v" + i)), "127.0.0.1", 0));
    }
    addresses = new ArrayList<>(List.of(dead));
    volumes.forEach(v -> addresses.add(v.address()));
  }

  @AfterEach
  void stopVolumes() throws IOException {
    volumes.forEach(VolumeServer::close);
    hung.close();
  }

  private MasterServer master(String index, int minReplicas) throws IOException {
    return MasterServer.start(
        MasterConfig.builder(tmp.resolve(index), addresses)
            .replicas(2)
            .subvolumes(1)
            .minReplicas(minReplicas)
            .voltimeout(Duration.ofMillis(500))
            .stallTimeout(Duration.ofSeconds(20))
            .checkInterval(Duration.ofMillis(100))
            .build());
  }

  private List<String> keysOnTheDeadVolume(int n) {
    Placement placement = new Placement(addresses, 2, 1);
    return Stream.iterate(0, i -> i + 1)
        .limit(1000)
        .map(i -> "/k" + i)
        .filter(k -> placement.replicasFor(k).contains(dead))
        .limit(n)
        .toList();
  }

  @Test
  void readyOnlyWhileEnoughVolumesTakeWritesHealthyAlways() throws Exception {
    try (MasterServer master = master("index", 2)) {
      String url = master.baseUrl();
      assertEquals(200, get(url + "/_health").code());
      assertTrue(eventually(Duration.ofSeconds(5), () -> volumeState(url, dead).equals("down")));
      // a live volume may miss a 500 ms check on a loaded machine: it is back at the next one
      assertTrue(
          eventually(Duration.ofSeconds(30), () -> get(url + "/_ready").code() == 200),
          get(url + "/_ready").text());
      Reply ready = get(url + "/_ready");
      assertEquals("ready: 2 of 3 volumes take writes\n", ready.text());

      volumes.get(0).close();
      assertTrue(eventually(Duration.ofSeconds(5), () -> get(url + "/_ready").code() == 503));
      String reason = get(url + "/_ready").text();
      assertTrue(
          reason.startsWith("not ready: 1 of 3 volumes take writes, a write needs 2 ("), reason);
      assertTrue(
          reason.contains(dead + " down") && reason.contains(volumes.get(0).address() + " down"),
          reason);
      assertEquals(200, get(url + "/_health").code(), "alive, though not ready");
    }
  }

  @Test
  void withEveryReplicaRequiredThePutIsRefusedAtOnceAndLeavesNothing() throws Exception {
    try (MasterServer master = master("index", 2)) {
      assertTrue(
          eventually(
              Duration.ofSeconds(5), () -> volumeState(master.baseUrl(), dead).equals("down")));
      List<String> keys = keysOnTheDeadVolume(2);
      // a small body (answered on the IO thread) and a streamed one
      byte[][] bodies = {"small".getBytes(), new byte[1 << 20]};
      for (int i = 0; i < 2; i++) {
        long start = System.nanoTime();
        Reply r = put(master.baseUrl() + keys.get(i), bodies[i]);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(503, r.code(), r.text());
        assertTrue(r.text().contains(dead), "the answer names the down volume: " + r.text());
        // at once, not after a time-out or retries (bounded loosely: a loaded machine is slow)
        assertTrue(took < 30_000, "refused after " + took + " ms: it waited for the down volume");
        assertEquals(404, get(master.baseUrl() + keys.get(i)).code());
        assertFalse(get(master.baseUrl() + "/?list").text().contains(keys.get(i)));
        assertFalse(get(master.baseUrl() + "/?unlinked").text().contains(keys.get(i)));
      }
    }
  }

  @Test
  void withFewerRequiredTheDownReplicaIsSkippedAndRecordedMissing() throws Exception {
    try (MasterServer master = master("index", 1)) {
      assertTrue(
          eventually(
              Duration.ofSeconds(5), () -> volumeState(master.baseUrl(), dead).equals("down")));
      List<String> keys = keysOnTheDeadVolume(2);
      byte[][] bodies = {"small".getBytes(), new byte[1 << 20]};
      for (int i = 0; i < 2; i++) {
        long start = System.nanoTime();
        Reply r = put(master.baseUrl() + keys.get(i), bodies[i]);
        assertEquals(201, r.code(), r.text());
        assertTrue(
            System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30),
            "the PUT waited for the down volume");
        Reply redirect = get(master.baseUrl() + keys.get(i));
        assertEquals(302, redirect.code());
        assertFalse(redirect.header("Location").contains(dead), redirect.header("Location"));
        assertArrayEquals(bodies[i], read(master.baseUrl() + keys.get(i)));
      }
    }
    try (Index index = Index.open(tmp.resolve("index"))) {
      for (String key : keysOnTheDeadVolume(2)) {
        assertEquals(
            List.of(dead),
            index.get(key).missing(),
            "the record names the skipped replica as missing");
      }
    }
  }
}
