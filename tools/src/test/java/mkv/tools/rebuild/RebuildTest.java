package mkv.tools.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mkv.client.VolumeClient;
import mkv.index.IndexLockedException;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.master.MasterConfig;
import mkv.testing.ChildJvm;
import mkv.testing.ServerProcess;
import mkv.testing.TestCluster;
import mkv.tools.Fixture;
import mkv.tools.ToolProcess;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilding a lost index from five volumes gives back the same records and the same values. */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RebuildTest {
  static final VolumeClient CLIENT =
      new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(30));
  @TempDir static Path tmp;
  static TestCluster cluster;
  static List<String> keys;
  static Map<String, Record> original;

  @BeforeAll
  static void writeKeys() throws Exception {
    cluster = TestCluster.start(tmp, 5, 3, 10);
    keys = Fixture.keys(300);
    Fixture.write(cluster, keys);
    cluster.stopMaster();
    original = Fixture.records(cluster.root().resolve("index"));
    assertEquals(keys.size(), original.size());
  }

  @AfterAll
  static void stop() throws IOException {
    cluster.close();
  }

  static RebuildConfig config(Path db, boolean md5) {
    return new RebuildConfig(
        db, cluster.addresses(), 3, 10, 8, md5, false, false, Duration.ofSeconds(10));
  }

  @Test
  void rebuildGivesTheSameRecordsAndValues() throws Exception {
    Path db = tmp.resolve("rebuilt");
    Rebuild.Result result = new Rebuild(config(db, false), CLIENT).run();
    assertTrue(result.ok(), result.summary());
    assertEquals(keys.size(), result.keys());
    assertEquals(3L * keys.size(), result.files());
    assertEquals(0, result.unbalanced());
    Map<String, Record> rebuilt = Fixture.records(db);
    assertEquals(original.keySet(), rebuilt.keySet());
    for (var e : original.entrySet()) {
      Record was = e.getValue();
      Record now = rebuilt.get(e.getKey());
      assertEquals(Record.State.LIVE, now.state());
      assertEquals(was.replicas(), now.replicas(), "replicas in placement order for " + e.getKey());
      assertEquals(was.size(), now.size(), "size of " + e.getKey());
      assertNull(now.md5(), "no md5 without --md5");
    }
    cluster.startMaster(MasterConfig.of(db, cluster.addresses(), 3, 10));
    try {
      Fixture.assertReadable(cluster, keys);
    } finally {
      cluster.stopMaster();
    }
  }

  @Test
  void md5FlagRestoresEveryChecksum() throws Exception {
    Path db = tmp.resolve("rebuilt-md5");
    Rebuild.Result result = new Rebuild(config(db, true), CLIENT).run();
    assertTrue(result.ok(), result.summary());
    Map<String, Record> rebuilt = Fixture.records(db);
    assertEquals(original.keySet(), rebuilt.keySet());
    for (var e : original.entrySet()) {
      Record now = rebuilt.get(e.getKey());
      assertEquals(Set.copyOf(e.getValue().replicas()), Set.copyOf(now.replicas()));
      assertEquals(e.getValue().size(), now.size());
      assertEquals(e.getValue().md5(), now.md5(), "md5 of " + e.getKey());
    }
  }

  @Test
  void extraCopyIsListedLastAndCountsAsUnbalanced(@TempDir Path own) throws Exception {
    try (TestCluster c = TestCluster.start(own, 4, 2, 1)) {
      Fixture.write(c, List.of("/x", "/y"));
      c.stopMaster();
      Placement placement = new Placement(c.addresses(), 2, 1);
      String extra =
          c.addresses().stream()
              .filter(v -> !placement.replicasFor("/x").contains(v))
              .findFirst()
              .get();
      CLIENT.put(extra, KeyPath.of("/x"), RequestBody.create(Fixture.value("/x")));
      Path db = own.resolve("rebuilt");
      Rebuild.Result result =
          new Rebuild(
                  new RebuildConfig(
                      db, c.addresses(), 2, 1, 4, false, false, false, Duration.ofSeconds(10)),
                  CLIENT)
              .run();
      assertEquals(1, result.unbalanced(), result.summary());
      List<String> want = new ArrayList<>(placement.replicasFor("/x"));
      want.add(extra);
      assertEquals(want, Fixture.records(db).get("/x").replicas());
    }
  }

  @Test
  void indexThatHoldsKeysIsRefused() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> new Rebuild(config(cluster.root().resolve("index"), false), CLIENT).run());
    assertTrue(e.getMessage().contains("already holds keys"), e.getMessage());
  }

  @Test
  void indexLockedByARunningMasterIsAOneLineErrorAndExit1() throws Exception {
    Path db = tmp.resolve("locked");
    try (ServerProcess master =
            ChildJvm.master(tmp, List.of(), 0, db, cluster.addresses(), "--replicas", "3");
        ToolProcess tool =
            ToolProcess.start(
                tmp.resolve("rebuild-locked.log"),
                RebuildCommand.class.getName(),
                List.of(
                    "--db", db.toString(), "--volumes", String.join(",", cluster.addresses())))) {
      assertEquals(1, tool.waitFor(60));
      String out = tool.output();
      assertTrue(out.contains("rebuild: index " + db + " is locked by another process"), out);
      assertTrue(master.isAlive());
    }
    assertThrows(
        IndexLockedException.class,
        () -> {
          try (var held = mkv.index.Index.open(tmp.resolve("held"))) {
            new Rebuild(config(tmp.resolve("held"), false), CLIENT).run();
          }
        });
  }

  @Test
  void unreachableVolumeIsRefusedUnlessSkipped() throws Exception {
    String dead;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = "127.0.0.1:" + s.getLocalPort();
    }
    List<String> volumes = new ArrayList<>(cluster.addresses());
    volumes.add(dead);
    Path db = tmp.resolve("unreachable");
    try (ToolProcess tool =
        ToolProcess.start(
            tmp.resolve("rebuild-unreachable.log"),
            RebuildCommand.class.getName(),
            List.of("--db", db.toString(), "--volumes", String.join(",", volumes)))) {
      assertEquals(1, tool.waitFor(60));
      assertTrue(
          tool.output().contains("rebuild: volume " + dead + " cannot be listed"), tool.output());
    }
    assertEquals(Map.of(), Fixture.records(db), "nothing written when refusing");
    Rebuild.Result result =
        new Rebuild(
                new RebuildConfig(
                    db, volumes, 3, 10, 8, false, true, false, Duration.ofSeconds(10)),
                CLIENT)
            .run();
    assertTrue(result.ok(), result.summary());
    assertEquals(1, result.skipped().size());
    assertTrue(result.skipped().get(0).startsWith(dead), result.skipped().toString());
    assertEquals(keys.size(), result.keys());
    assertNotEquals(
        0, result.unbalanced(), "placement over six volumes differs from where keys are");
  }

  @Test
  void helpExplainsEveryFlag() throws Exception {
    Path log = tmp.resolve("rebuild-help.log");
    try (ToolProcess tool =
        ToolProcess.start(log, RebuildCommand.class.getName(), List.of("--help"))) {
      assertEquals(0, tool.waitFor(60));
      String help = Files.readString(log);
      for (String flag :
          List.of(
              "--db",
              "--volumes",
              "--replicas",
              "--subvolumes",
              "--workers",
              "--md5",
              "--skip-unreachable",
              "UNLINKed come back live")) {
        assertTrue(help.contains(flag), flag + " in\n" + help);
      }
    }
  }
}
