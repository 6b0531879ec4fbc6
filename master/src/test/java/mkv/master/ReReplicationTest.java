package mkv.master;

import static mkv.master.OnlineRebalanceTest.assertEverywhereRight;
import static mkv.master.OnlineRebalanceTest.status;
import static mkv.testing.Http.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.layout.Placement;
import mkv.testing.ChildJvm;
import mkv.testing.Http;
import mkv.testing.ServerProcess;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume lost for good: every key is back to --replicas copies with no operator, and moves back
 * when it returns.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReReplicationTest {
  @Test
  void aLostVolumesKeysGetNewCopiesAndComeBackWhenItDoes(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 3)) {
      ServerProcess[] lostVolume = {
        ChildJvm.volume(tmp, 9, 0)
      }; // its own JVM, to be killed with SIGKILL
      try {
        String lost = "127.0.0.1:" + lostVolume[0].port();
        List<String> all = new java.util.ArrayList<>(List.of(lost));
        all.addAll(c.addresses());
        c.startMaster(
            MasterConfig.builder(tmp.resolve("index"), all)
                .replicas(2)
                .subvolumes(1)
                .replaceAfter(Duration.ofSeconds(1))
                .moveGrace(Duration.ofMillis(200))
                .build());
        String url = c.master().baseUrl();
        Map<String, byte[]> values = new ConcurrentHashMap<>();
        for (int i = 0; i < 150; i++) {
          OnlineRebalanceTest.put(url, "/r" + i, values);
        }
        Placement full = new Placement(all, 2, 1);
        long onLost =
            values.keySet().stream().filter(k -> full.replicasFor(k).contains(lost)).count();

        lostVolume[0].kill();
        Path dir = tmp.resolve("volume9");
        try (Stream<Path> files = Files.walk(dir)) { // the disk is gone for good
          files
              .sorted(Comparator.reverseOrder())
              .filter(p -> !p.equals(dir))
              .forEach(p -> p.toFile().delete());
        }
        JsonNode done = awaitRun(url, "re-replication");
        assertEquals(
            onLost,
            done.path("moved").asLong(),
            "each key the lost volume held got one new copy: " + done);
        assertEquals(List.of(lost), List.of(done.path("replaced").get(0).asText()));
        JsonNode volumes = new ObjectMapper().readTree(Http.get(url + "/_volumes").body());
        assertTrue(volumes.get(0).path("replaced").asBoolean(), volumes.toString());
        System.err.println(
            "ReReplicationTest: "
                + onLost
                + " keys re-replicated in "
                + done.path("elapsedSeconds")
                + " s after the volume was replaced");
        // Two copies of every key on the volumes left, each where the ranking over them says.
        assertEverywhereRight(url, values, full.without(List.of(lost)), c.addresses());

        lostVolume[0] =
            ChildJvm.volume(tmp, 9, lostVolume[0].port()); // a new, empty disk on the same address
        awaitRun(url, "rebalance|re-replication", s -> s.path("replaced").isEmpty());
        assertEverywhereRight(url, values, full, all);
      } finally {
        lostVolume[0].close();
      }
    }
  }

  private static JsonNode awaitRun(String url, String why) {
    return awaitRun(url, why, s -> true);
  }

  private static JsonNode awaitRun(
      String url, String why, java.util.function.Predicate<JsonNode> also) {
    assertTrue(
        eventually(
            Duration.ofSeconds(60),
            () -> {
              JsonNode s = status(url);
              return s.path("why").asText().matches(why)
                  && s.path("state").asText().equals("done")
                  && also.test(s);
            }),
        () -> "no finished " + why + ": " + status(url));
    return status(url);
  }
}
