package mkv.tools.rebalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mkv.client.VolumeClient;
import mkv.index.Record;
import mkv.layout.Placement;
import mkv.master.MasterConfig;
import mkv.testing.Http;
import mkv.testing.TestCluster;
import mkv.tools.Fixture;
import mkv.tools.ToolProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Rebalancing moves every value to its new placement and loses nothing, whatever fails on the way.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RebalanceTest {
  static final VolumeClient CLIENT =
      new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(30));

  static RebalanceConfig config(Path db, List<String> volumes, boolean dryRun) {
    return new RebalanceConfig(db, volumes, 3, 10, 8, 0, dryRun, false, Duration.ofSeconds(10));
  }

  @Test
  void fiveToThreeAndBackKeepsValuesStatesAndMd5s(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 5, 3, 10)) {
      List<String> keys = Fixture.keys(300);
      Fixture.write(c, keys);
      List<String> unlinked = keys.subList(0, 10);
      for (String key : unlinked) {
        assertEquals(204, Http.call("UNLINK", c.url(key), null).code());
      }
      c.stopMaster();
      Path db = tmp.resolve("index");
      Map<String, Record> original = Fixture.records(db);

      for (List<String> volumes : List.of(c.addresses().subList(0, 3), c.addresses())) {
        Rebalance.Result result = new Rebalance(config(db, volumes, false), CLIENT).run();
        assertTrue(result.ok(), result.summary());
        assertTrue(result.moved() > 0, result.summary());
        Placement placement = new Placement(volumes, 3, 10);
        Fixture.assertPlaced(c, 5, placement, original.keySet());
        Map<String, Record> now = Fixture.records(db);
        assertEquals(original.keySet(), now.keySet());
        for (var e : original.entrySet()) {
          Record was = e.getValue();
          Record is = now.get(e.getKey());
          assertEquals(
              placement.replicasFor(e.getKey()), is.replicas(), "replicas of " + e.getKey());
          assertEquals(was.state(), is.state(), "state of " + e.getKey());
          assertNotNull(is.md5());
          assertEquals(was.md5(), is.md5(), "md5 of " + e.getKey());
          assertEquals(was.size(), is.size(), "size of " + e.getKey());
          assertEquals(was.created(), is.created(), "created of " + e.getKey());
        }
        c.startMaster(MasterConfig.of(db, volumes, 3, 10));
        try {
          Fixture.assertReadable(c, keys.subList(unlinked.size(), keys.size()));
          for (String key : unlinked) {
            assertEquals(404, Http.get(c.url(key)).code(), "unlinked stays unlinked: " + key);
          }
        } finally {
          c.stopMaster();
        }
        Rebalance.Result again = new Rebalance(config(db, volumes, false), CLIENT).run();
        assertEquals(0, again.toMove(), "a second run finds nothing to move: " + again.summary());
      }
      assertEquals(
          Set.of(Record.State.UNLINKED),
          Set.copyOf(unlinked.stream().map(k -> original.get(k).state()).toList()));
    }
  }

  @Test
  void dryRunReportsWhatWouldMoveAndChangesNothing(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 5, 3, 10)) {
      List<String> keys = Fixture.keys(100);
      Fixture.write(c, keys);
      c.stopMaster();
      Path db = tmp.resolve("index");
      Map<String, Record> before = Fixture.records(db);
      Map<String, Set<String>> disk = Fixture.onDisk(c, 5);
      Placement three = new Placement(c.addresses().subList(0, 3), 3, 10);
      long expected = 0;
      long bytes = 0;
      for (var e : before.entrySet()) {
        if (!three.isBalanced(e.getKey(), e.getValue().replicas())) {
          expected++;
          bytes += e.getValue().size();
        }
      }
      Rebalance.Result result =
          new Rebalance(config(db, c.addresses().subList(0, 3), true), CLIENT).run();
      assertEquals(expected, result.toMove());
      assertEquals(bytes, result.toMoveBytes());
      assertEquals(0, result.moved());
      assertEquals(before, Fixture.records(db));
      assertEquals(disk, Fixture.onDisk(c, 5));
      assertTrue(
          result.summary().contains("would move " + expected + " of 100 keys"), result.summary());
    }
  }

  @Test
  void killedMidwayTheRerunFinishesAndNothingIsLost(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 5)) {
      Path db = tmp.resolve("index");
      List<String> three = c.addresses().subList(0, 3);
      c.startMaster(MasterConfig.of(db, three, 3, 10));
      List<String> keys = Fixture.keys(1000);
      Fixture.write(c, keys);
      c.stopMaster();
      List<String> args =
          List.of(
              "--db",
              db.toString(),
              "--volumes",
              String.join(",", c.addresses()),
              "--workers",
              "1",
              "--progress-interval",
              "100ms");
      try (ToolProcess tool =
          ToolProcess.start(
              tmp.resolve("rebalance-killed.log"), RebalanceCommand.class.getName(), args)) {
        // Kill once some values reached the two new volumes.
        boolean started =
            Http.eventually(
                Duration.ofSeconds(60),
                () -> {
                  try {
                    return Fixture.holdsAny(c.volumeDir(3)) || Fixture.holdsAny(c.volumeDir(4));
                  } catch (IOException e) {
                    return false;
                  }
                });
        assertTrue(started, "no value moved in time");
        assertTrue(
            tool.isAlive(), "the tool finished before it could be killed:\n" + tool.output());
        tool.kill();
      }
      Rebalance.Result left = new Rebalance(config(db, c.addresses(), true), CLIENT).run();
      assertTrue(left.toMove() > 0, "killed midway: " + left.summary());
      Map<String, Set<String>> disk = Fixture.onDisk(c, 5);
      for (var e : Fixture.records(db).entrySet()) {
        Set<String> files = disk.getOrDefault(e.getKey(), Set.of());
        assertTrue(
            e.getValue().replicas().stream().anyMatch(files::contains),
            "after the kill, "
                + e.getKey()
                + " is still on a replica its record names: "
                + e.getValue());
      }

      Rebalance.Result rerun = new Rebalance(config(db, c.addresses(), false), CLIENT).run();
      assertTrue(rerun.ok(), rerun.summary());
      Fixture.assertPlaced(c, 5, new Placement(c.addresses(), 3, 10), Set.copyOf(keys));
      c.startMaster(MasterConfig.of(db, c.addresses(), 3, 10));
      Fixture.assertReadable(c, keys);
    }
  }

  @Test
  void volumeDownFailsItsKeysOthersMoveAndTheRerunCompletes(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 5)) {
      Path db = tmp.resolve("index");
      List<String> four = c.addresses().subList(0, 4);
      c.startMaster(MasterConfig.of(db, four, 3, 10));
      List<String> keys = Fixture.keys(200);
      Fixture.write(c, keys);
      c.stopMaster();
      Placement five = new Placement(c.addresses(), 3, 10);
      String down = c.addresses().get(4);
      // Keys that move among the first four volumes only can still move; those bound for the fifth
      // cannot.
      long bound =
          keys.stream()
              .filter(k -> five.replicasFor(k).stream().anyMatch(r -> r.startsWith(down)))
              .count();
      c.kill(4);

      List<String> args =
          new ArrayList<>(
              List.of("--db", db.toString(), "--volumes", String.join(",", c.addresses())));
      assertEquals(1, new CommandLine(new RebalanceCommand()).execute(args.toArray(String[]::new)));
      Rebalance.Result failedRun = new Rebalance(config(db, c.addresses(), false), CLIENT).run();
      assertFalse(failedRun.ok());
      assertEquals(bound, failedRun.failed(), failedRun.summary());
      assertTrue(failedRun.failures().get(0).contains(down), failedRun.failures().toString());

      // The index now holds the new placement (a master must start with it), and every key reads
      // from where it is.
      c.startMaster(MasterConfig.of(db, c.addresses(), 3, 10));
      Fixture.assertReadable(c, keys);
      c.stopMaster();

      c.revive(4);
      Rebalance.Result rerun = new Rebalance(config(db, c.addresses(), false), CLIENT).run();
      assertTrue(rerun.ok(), rerun.summary());
      assertEquals(bound, rerun.moved());
      Fixture.assertPlaced(c, 5, five, Set.copyOf(keys));
      c.startMaster(MasterConfig.of(db, c.addresses(), 3, 10));
      Fixture.assertReadable(c, keys);
    }
  }

  @Test
  void onlineTheMasterMovesEveryKeyAndTheCommandWaitsForIt(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 5)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses().subList(0, 3))
              .replicas(3)
              .subvolumes(10)
              .moveGrace(Duration.ofMillis(100))
              .build());
      List<String> keys = Fixture.keys(200);
      Fixture.write(c, keys);
      String url = c.master().baseUrl();
      String all = String.join(",", c.addresses());
      assertEquals(
          2,
          mkv.cli.Cli.commandLine(new RebalanceCommand())
              .execute("--master", url, "--db", tmp.resolve("index").toString(), "--volumes", all),
          "--master and --db together");

      assertEquals(
          0,
          mkv.cli.Cli.commandLine(new RebalanceCommand())
              .execute(
                  "--master",
                  url,
                  "--volumes",
                  all,
                  "--rate",
                  "100",
                  "--progress-interval",
                  "100ms"));
      Fixture.assertPlaced(c, 5, new Placement(c.addresses(), 3, 10), Set.copyOf(keys));
      Fixture.assertReadable(c, keys);
      // Asking again for the placement it has is a pass that finds nothing to move.
      assertEquals(
          0,
          mkv.cli.Cli.commandLine(new RebalanceCommand())
              .execute("--master", url, "--volumes", all));
    }
  }

  @Test
  void pendingRecordsAreSkipped(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 3)) {
      Path db = tmp.resolve("index");
      try (var index = mkv.index.Index.open(db)) {
        index.put("/half-written", Record.pending(List.of("127.0.0.1:1"), 1), true);
      }
      Rebalance.Result result = new Rebalance(config(db, c.addresses(), false), CLIENT).run();
      assertTrue(result.ok(), result.summary());
      assertEquals(1, result.pending());
      assertEquals(0, result.toMove());
      assertEquals(Record.State.PENDING, Fixture.records(db).get("/half-written").state());
    }
  }

  @Test
  void helpExplainsEveryFlag(@TempDir Path tmp) throws Exception {
    try (ToolProcess tool =
        ToolProcess.start(
            tmp.resolve("help.log"), RebalanceCommand.class.getName(), List.of("--help"))) {
      assertEquals(0, tool.waitFor(60));
      String help = tool.output();
      for (String flag :
          List.of(
              "--db",
              "--volumes",
              "--replicas",
              "--subvolumes",
              "--workers",
              "--dry-run",
              "--progress-interval",
              "PENDING and DELETING",
              "stay unlinked")) {
        assertTrue(help.contains(flag), flag + " in\n" + help);
      }
    }
  }

  @Test
  void lockedIndexIsAOneLineErrorAndExit1(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 3, 10);
        ToolProcess tool =
            ToolProcess.start(
                tmp.resolve("locked.log"),
                RebalanceCommand.class.getName(),
                List.of(
                    "--db",
                    c.config().db().toString(),
                    "--volumes",
                    String.join(",", c.addresses())))) {
      // the master holds the index in this JVM; the tool is another process
      assertEquals(1, tool.waitFor(60));
      assertTrue(
          tool.output()
              .contains("rebalance: index " + c.config().db() + " is locked by another process"),
          tool.output());
    }
  }
}
