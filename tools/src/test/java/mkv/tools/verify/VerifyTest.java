package mkv.tools.verify;

import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** verify finds every kind of damage, --repair fixes it, and a second run is clean. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VerifyTest {
  record Run(int exit, String output) {}

  static Run verify(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new VerifyCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    int exit = cl.execute(args);
    return new Run(exit, out.toString());
  }

  @Test
  void offlineVerifyFindsDamageAndRepairFixesIt(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 4, 3, 2)) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        keys.add("/v/" + i);
        assertEquals(201, put(c.url("/v/" + i), value(i)).code());
      }
      c.stopMaster();
      Placement placement = c.config().placement();
      // missing: one replica's file gone; corrupt size: truncated; corrupt md5: same size, other
      // bytes
      Files.delete(file(c, placement.replicasFor("/v/1").get(0), "/v/1"));
      Files.writeString(file(c, placement.replicasFor("/v/2").get(1), "/v/2"), "short");
      byte[] flipped = value(3);
      flipped[0] ^= 1;
      Files.write(file(c, placement.replicasFor("/v/3").get(2), "/v/3"), flipped);
      // an orphan from long ago (its write never committed), and a stale pending write
      String orphanReplica = placement.replicasFor("/orphan").get(0);
      Path orphan = file(c, orphanReplica, "/orphan");
      Files.createDirectories(orphan.getParent());
      Files.writeString(orphan, "nobody's");
      Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
      try (Index index = Index.open(c.config().db())) {
        index.put(
            "/stale",
            Record.pending(
                placement.replicasFor("/stale"),
                Instant.now().minus(3, ChronoUnit.HOURS).toEpochMilli()),
            true);
        // a DELETE that failed after removing one copy
        index.put("/v/5", index.get("/v/5").withState(Record.State.DELETING), true);
      }
      Files.delete(file(c, placement.replicasFor("/v/5").get(0), "/v/5"));
      String db = c.config().db().toString();
      String volumes = String.join(",", c.addresses());
      String[] base = {"--db", db, "--volumes", volumes, "--replicas", "3", "--subvolumes", "2"};

      Run sizes = verify(base);
      assertEquals(1, sizes.exit(), sizes.output());
      assertTrue(sizes.output().contains("missing /v/1"), sizes.output());
      assertTrue(sizes.output().contains("corrupt /v/2"), sizes.output());
      assertFalse(
          sizes.output().contains("corrupt /v/3"),
          "same size: only --md5 sees it\n" + sizes.output());
      assertTrue(sizes.output().contains("orphan /orphan"), sizes.output());
      assertTrue(sizes.output().contains("stale_pending /stale"), sizes.output());
      assertTrue(sizes.output().contains("unfinished_delete /v/5"), sizes.output());
      assertTrue(Files.exists(orphan), "without --repair nothing changes");

      Run young = verify(concat(base, "--grace", "1000h", "--md5"));
      assertFalse(
          young.output().contains("orphan /orphan"), "inside the grace period: " + young.output());
      assertTrue(young.output().contains("corrupt /v/3"), young.output());

      Run repair = verify(concat(base, "--md5", "--repair"));
      assertTrue(repair.output().contains("repaired"), repair.output());
      Run after = verify(concat(base, "--md5"));
      assertEquals(0, after.exit(), after.output());
      assertTrue(after.output().strip().endsWith("clean"), after.output());
      // --json: the same result as one line of JSON, last; and without --volumes the index's
      // placement
      Run json = verify("--db", c.config().db().toString(), "--json");
      assertEquals(0, json.exit(), json.output());
      String[] lines = json.output().strip().split("\n");
      var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[lines.length - 1]);
      assertEquals("verify", doc.path("command").asText());
      assertTrue(doc.path("ok").asBoolean(), doc.toString());
      assertEquals(
          39, doc.path("records").asLong(), doc.toString()); // the delete of /v/5 was finished
      assertFalse(Files.exists(orphan));

      c.startMaster(c.config());
      for (int i = 0; i < 40; i++) {
        if (i != 5) {
          assertArrayEquals(value(i), read(c.url("/v/" + i)));
        }
      }
      assertEquals(404, mkv.testing.Http.get(c.url("/v/5")).code());
      assertTrue(
          mkv.testing.Http.get(c.url("/") + "?unlinked").text().contains("\"keys\":[]"),
          "the delete was finished");
      for (String r : placement.replicasFor("/v/5")) {
        assertFalse(Files.exists(file(c, r, "/v/5")));
      }
      for (String r : placement.replicasFor("/v/3")) {
        assertArrayEquals(
            value(3), Files.readAllBytes(file(c, r, "/v/3")), "repaired copy on " + r);
      }
    }
  }

  @Test
  void verifyThroughARunningMasterRepairsUnderItsLocks(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 3, 1)) {
      assertEquals(201, put(c.url("/online"), "value").code());
      Path damaged = file(c, c.config().placement().replicasFor("/online").get(1), "/online");
      Files.delete(damaged);
      Run found = verify("--master", c.master().baseUrl());
      assertEquals(1, found.exit(), found.output());
      assertTrue(found.output().contains("missing /online"), found.output());
      Run repaired = verify("--master", c.master().baseUrl(), "--repair");
      assertTrue(repaired.output().contains("repaired /online"), repaired.output());
      assertEquals("value", Files.readString(damaged));
      Run clean = verify("--master", c.master().baseUrl());
      assertEquals(0, clean.exit(), clean.output());
    }
  }

  @Test
  void offlineVerifyRefusesAnIndexAMasterHolds(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 1, 1, 1)) {
      Run r =
          verify(
              "--db",
              c.config().db().toString(),
              "--volumes",
              c.addresses().get(0),
              "--replicas",
              "1",
              "--subvolumes",
              "1");
      assertEquals(1, r.exit(), r.output());
      assertTrue(r.output().contains("locked"), r.output());
    }
  }

  static byte[] value(int i) {
    return ("value number " + i + " ").repeat(1 + i).getBytes(StandardCharsets.UTF_8);
  }

  static Path file(TestCluster c, String replica, String key) {
    return c.dirOf(Placement.server(replica))
        .resolve((Placement.subvolume(replica) + KeyPath.of(key)).substring(1));
  }

  static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
