package mkv.master;

import static mkv.testing.Http.delete;
import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.Http.Reply;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the master does when volumes die, clients break off, or a crash left work unfinished. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MasterFaultTest {
  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @Test
  void readsSkipAKilledVolumeAndWritesThatNeedItFailClaimingNothing(@TempDir Path tmp)
      throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 4, 3, 1)) {
      String dead = c.addresses().get(0);
      List<String> onDead = keysPlacedOn(c, dead, 10, "/before/");
      for (String key : onDead) {
        assertEquals(201, put(c.url(key), key).code());
      }
      c.kill(0);
      assertTrue(
          eventually(PATIENCE, () -> volumeState(c, dead).equals("down")),
          "health check never noticed");
      for (String key : onDead) {
        for (int i = 0; i < 5; i++) {
          Reply r = get(c.url(key));
          assertEquals(302, r.code());
          assertFalse(r.header("Location").contains(dead), "redirected to the dead volume");
        }
        assertEquals(key, new String(read(c.url(key)), StandardCharsets.UTF_8));
      }

      String key = keysPlacedOn(c, dead, 1, "/during/").get(0);
      Reply failed = put(c.url(key), "never stored");
      assertTrue(failed.code() >= 500, "status " + failed.code());
      assertTrue(failed.text().contains(dead), "5xx should name the volume: " + failed.text());
      assertEquals(404, get(c.url(key)).code());
      // A live volume may finish the PUT after the master gave up on it; the second clean-up
      // removes that.
      assertTrue(
          eventually(
              PATIENCE,
              () ->
                  Stream.of(1, 2, 3)
                      .allMatch(
                          i -> {
                            try {
                              return filesOf(c.volumeDir(i), key).isEmpty();
                            } catch (IOException e) {
                              return false;
                            }
                          })),
          "a copy of the failed write was left on a live volume");
      c.revive(0);
      assertTrue(eventually(PATIENCE, () -> volumeState(c, dead).equals("up")));
      assertEquals(
          201, put(c.url(key), "stored now").code(), "the failed write must not claim the key");
    }
  }

  @Test
  void getOfAKeyWhoseEveryReplicaIsDownIs503NamingThem(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 2, 1, 1)) {
      String dead = c.addresses().get(0);
      String key = keysPlacedOn(c, dead, 1, "/alone/").get(0);
      assertEquals(201, put(c.url(key), "v").code());
      assertEquals(
          302, get(c.url(key)).code()); // the answer is cached now; health is still read per GET
      c.kill(0);
      assertTrue(
          eventually(PATIENCE, () -> volumeState(c, dead).equals("down")),
          "health check never noticed");
      Reply r = get(c.url(key));
      assertEquals(503, r.code());
      assertTrue(r.text().contains(dead), "503 should name the volume: " + r.text());
      c.revive(0);
      assertTrue(eventually(PATIENCE, () -> volumeState(c, dead).equals("up")));
      assertEquals(302, get(c.url(key)).code());
    }
  }

  @Test
  void truncatedUploadLeavesNothingAndKeyStaysWritable(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 3, 1)) {
      String key = "/truncated";
      try (Socket s = new Socket("127.0.0.1", c.master().port())) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("PUT " + key + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(new byte[300_000]);
        out.flush();
      }
      assertTrue(
          eventually(
              PATIENCE,
              () ->
                  Stream.of(0, 1, 2)
                      .allMatch(
                          i -> {
                            try {
                              return filesOf(c.volumeDir(i), key).isEmpty()
                                  && tempFiles(c.volumeDir(i)) == 0;
                            } catch (IOException e) {
                              return false;
                            }
                          })),
          "a truncated upload left files behind");
      assertTrue(
          eventually(
              PATIENCE,
              () -> {
                try {
                  return put(c.url(key), "whole").code() == 201;
                } catch (IOException e) {
                  return false;
                }
              }),
          "key not writable after a truncated upload");
      assertEquals("whole", new String(read(c.url(key)), StandardCharsets.UTF_8));
    }
  }

  @Test
  void deleteThatFailsHalfWayLeavesTheKeyUnlinkedForARetry(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 3, 1)) {
      assertEquals(201, put(c.url("/half"), "v").code());
      c.kill(1);
      Reply failed = delete(c.url("/half"));
      assertTrue(failed.code() >= 500, "status " + failed.code());
      assertTrue(failed.text().contains(c.addresses().get(1)), failed.text());
      assertEquals(404, get(c.url("/half")).code());
      assertTrue(get(c.url("/") + "?unlinked").text().contains("/half"));
      c.revive(1);
      assertEquals(204, delete(c.url("/half")).code());
      for (int i = 0; i < 3; i++) {
        assertTrue(filesOf(c.volumeDir(i), "/half").isEmpty());
      }
    }
  }

  @Test
  void writesACrashLeftPendingAreRolledBackOnStart(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 2, 1)) {
      c.stopMaster();
      String key = "/crashed/mid/write";
      List<String> replicas = c.config().placement().replicasFor(key);
      try (Index index = Index.open(c.config().db())) {
        index.put(key, Record.pending(replicas, System.currentTimeMillis()), true);
      }
      for (String r : replicas) {
        Path file = c.dirOf(Placement.server(r)).resolve(KeyPath.of(key).substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "half");
      }
      c.startMaster(c.config());
      assertTrue(
          eventually(
              PATIENCE,
              () ->
                  replicas.stream()
                      .allMatch(
                          r ->
                              !Files.exists(
                                  c.dirOf(Placement.server(r))
                                      .resolve(KeyPath.of(key).substring(1))))),
          "copies not removed");
      assertEquals(404, get(c.url(key)).code());
      // 409 while the roll-back still holds the key, then writable
      assertTrue(
          eventually(
              PATIENCE,
              () -> {
                try {
                  return put(c.url(key), "fresh").code() == 201;
                } catch (IOException e) {
                  return false;
                }
              }));
      c.stopMaster();
      try (Index index = Index.open(c.config().db())) {
        assertEquals(Record.State.LIVE, index.get(key).state());
        assertNull(index.get("/never/written"));
      }
    }
  }

  @Test
  void secondMasterOnTheSameIndexIsRefused(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 1, 1, 1)) {
      IOException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IOException.class, () -> MasterServer.start(c.config()));
      assertTrue(e.getMessage().contains("locked"), e.getMessage());
      assertEquals(201, put(c.url("/still/works"), "v").code());
    }
  }

  @Test
  void minReplicasStoresWithoutADeadVolumeAndRecordsItMissing(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 3)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .replicas(3)
              .subvolumes(1)
              .minReplicas(2)
              .build());
      String dead = c.addresses().get(2);
      c.kill(2);
      Reply created = put(c.url("/degraded"), "two of three");
      assertEquals(201, created.code(), created.text());
      for (int i = 0; i < 10; i++) {
        Reply r = get(c.url("/degraded"));
        assertEquals(302, r.code());
        assertFalse(r.header("Location").contains(dead), "redirected to the missing replica");
      }
      assertEquals("two of three", new String(read(c.url("/degraded")), StandardCharsets.UTF_8));
      c.kill(1);
      Reply refused = put(c.url("/too/degraded"), "one of three");
      assertTrue(refused.code() >= 500, "one replica is below --min-replicas 2: " + refused.code());
      assertEquals(404, get(c.url("/too/degraded")).code());
      c.stopMaster();
      try (Index index = Index.open(tmp.resolve("index"))) {
        Record r = index.get("/degraded");
        assertEquals(List.of(dead), r.missing());
        assertEquals(2, r.holders().size());
      }
    }
  }

  @Test
  void bodyThatDoesNotMatchContentMd5IsRefusedAndNotStored(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 3, 1)) {
      okhttp3.Request bad =
          new okhttp3.Request.Builder()
              .url(c.url("/checked"))
              .header("Content-MD5", "00000000000000000000000000000000")
              .put(
                  okhttp3.RequestBody.create(
                      "value".getBytes(StandardCharsets.UTF_8), mkv.testing.Http.OCTETS))
              .build();
      Reply r = mkv.testing.Http.call(bad);
      assertEquals(400, r.code(), r.text());
      assertTrue(r.text().contains("Content-MD5"), r.text());
      assertEquals(404, get(c.url("/checked")).code());
      for (int i = 0; i < 3; i++) {
        assertTrue(filesOf(c.volumeDir(i), "/checked").isEmpty());
      }
      okhttp3.Request good =
          bad.newBuilder().header("Content-MD5", "2063c1608d6e0baf80249c42e2be5804").build();
      assertEquals(201, mkv.testing.Http.call(good).code());
    }
  }

  @Test
  void pendingWriteWithAnnouncedMd5IsCompletedOnStartWhenEveryReplicaHasIt(@TempDir Path tmp)
      throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 2, 1)) {
      c.stopMaster();
      String key = "/crashed/after/copies";
      List<String> replicas = c.config().placement().replicasFor(key);
      try (Index index = Index.open(c.config().db())) {
        // "value" has md5 2063c1608d6e0baf80249c42e2be5804
        Record pending = Record.pending(replicas, System.currentTimeMillis()).withSize(5);
        index.put(key, pending.withMd5("2063c1608d6e0baf80249c42e2be5804"), true);
      }
      for (String r : replicas) {
        Path file = c.dirOf(Placement.server(r)).resolve(KeyPath.of(key).substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "value");
      }
      c.startMaster(c.config());
      assertTrue(
          eventually(
              PATIENCE,
              () -> {
                try {
                  return get(c.url(key)).code() == 302;
                } catch (IOException e) {
                  return false;
                }
              }),
          "the complete write was not completed");
      assertEquals("value", new String(read(c.url(key)), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aStartWithOtherVolumesIsRefusedUnlessToldToAdoptThem(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 4)) {
      List<String> three = c.addresses().subList(0, 3);
      MasterConfig before =
          MasterConfig.builder(tmp.resolve("index"), three).replicas(2).subvolumes(1).build();
      c.startMaster(before);
      List<String> keys = Stream.iterate(0, i -> i + 1).limit(40).map(i -> "/bal/" + i).toList();
      for (String k : keys) {
        assertEquals(201, put(c.url(k), k).code());
        assertEquals("balanced", get(c.url(k)).header("Key-Balance"));
      }
      c.stopMaster();
      MasterConfig.Builder after =
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .replicas(2)
              .subvolumes(1)
              .moveGrace(java.time.Duration.ofMillis(100));
      java.io.IOException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.io.IOException.class, () -> c.startMaster(after.build()));
      assertTrue(refused.getMessage().contains("--adopt-placement"), refused.getMessage());
      c.startMaster(after.adoptPlacement(true).build());
      OnlineRebalanceTest.awaitDone(c.master().baseUrl());
      for (String k : keys) {
        Reply r = get(c.url(k));
        assertEquals("balanced", r.header("Key-Balance"), k);
        assertEquals(
            new java.util.HashSet<>(after.build().placement().replicasFor(k)),
            java.util.Set.of(r.header("Key-Volumes").split(",")),
            k);
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  static List<String> keysPlacedOn(TestCluster c, String server, int count, String prefix) {
    Placement p = c.config().placement();
    return Stream.iterate(0, i -> i + 1)
        .limit(10_000)
        .map(i -> prefix + i)
        .filter(k -> p.replicasFor(k).stream().anyMatch(r -> Placement.server(r).equals(server)))
        .limit(count)
        .toList();
  }

  static String volumeState(TestCluster c, String server) {
    try {
      String json = get(c.master().baseUrl() + Protocol.VOLUMES).text();
      var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
      for (var v : node) {
        if (v.get("volume").asText().equals(server)) {
          return v.get("state").asText();
        }
      }
      return "missing";
    } catch (IOException e) {
      return "error";
    }
  }

  /** Every file of {@code key} under a volume's data, in any subvolume. */
  static List<Path> filesOf(Path volumeDir, String key) throws IOException {
    String path = KeyPath.of(key);
    try (Stream<Path> files = Files.walk(volumeDir)) {
      return files.filter(f -> f.toString().endsWith(path) && Files.isRegularFile(f)).toList();
    }
  }

  static long tempFiles(Path volumeDir) throws IOException {
    Path tmp = volumeDir.resolve(".tmp");
    if (!Files.exists(tmp)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(tmp)) {
      return files.count();
    }
  }
}
