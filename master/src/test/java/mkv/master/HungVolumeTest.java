package mkv.master;

import static mkv.testing.Http.allUp;
import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static mkv.testing.Http.volumeState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.ChildJvm;
import mkv.testing.Http.Reply;
import mkv.testing.ServerProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frozen (SIGSTOP) volume: writes fail within the stall bound and leave nothing, reads skip it.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HungVolumeTest {
  @Test
  void frozenVolumeFailsWritesWithinTheBoundAndReadsSkipIt(@TempDir Path tmp) throws Exception {
    List<ServerProcess> volumes = new ArrayList<>();
    try {
      volumes.addAll(ChildJvm.volumes(tmp, 3));
      List<String> addresses = volumes.stream().map(v -> "127.0.0.1:" + v.port()).toList();
      MasterConfig config =
          MasterConfig.builder(tmp.resolve("index"), addresses)
              .replicas(2)
              .subvolumes(1)
              .voltimeout(Duration.ofSeconds(1))
              .stallTimeout(Duration.ofSeconds(2))
              .checkInterval(Duration.ofMillis(200))
              .build();
      try (MasterServer master = MasterServer.start(config)) {
        // cold child JVMs on a busy machine may miss their first checks
        assertTrue(allUp(master.baseUrl(), addresses));
        String frozen = addresses.get(0);
        Placement placement = config.placement();
        List<String> onFrozen =
            Stream.iterate(0, i -> i + 1)
                .limit(1000)
                .map(i -> "/k" + i)
                .filter(k -> placement.replicasFor(k).contains(frozen))
                .limit(2)
                .toList();
        String stored = onFrozen.get(0);
        String doomed = onFrozen.get(1);
        // a cold volume JVM on a loaded machine may miss the 2 s stall bound at first: a failed
        // write leaves nothing, so try until the volumes are warm
        assertTrue(
            eventually(
                Duration.ofSeconds(30),
                () -> put(master.baseUrl() + stored, "before").code() == 201));

        long getsBefore = gets(frozen);
        volumes.get(0).signal("STOP");
        long start = System.nanoTime();
        Reply failed = put(master.baseUrl() + doomed, "x".repeat(4 << 20));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // 504 if the PUT reached the frozen volume first; 503 if a health check had already marked
        // it down
        assertTrue(
            failed.code() == 504 || failed.code() == 503,
            "a volume that stops answering is a time-out ("
                + "or down): "
                + failed.code()
                + " "
                + failed.text());
        assertTrue(failed.text().contains(frozen), failed.text());
        // bounded by the 2 s stall timeout; without it, it would wait as long as the freeze
        assertTrue(took < 30_000, "a PUT to a frozen volume took " + took + " ms");
        assertEquals(404, get(master.baseUrl() + doomed).code());

        assertTrue(
            eventually(
                Duration.ofSeconds(5), () -> volumeState(master.baseUrl(), frozen).equals("down")));
        for (int i = 0; i < 20; i++) {
          Reply r = get(master.baseUrl() + stored);
          assertEquals(302, r.code());
          assertFalse(r.header("Location").contains(frozen));
        }
        assertEquals("before", new String(read(master.baseUrl() + stored), StandardCharsets.UTF_8));

        volumes.get(0).signal("CONT");
        // a redirect never asks a volume: the frozen one was sent no GET meanwhile
        assertEquals(
            getsBefore + 1, // the first count's own GET /metrics
            gets(frozen),
            "a GET of the master went to the frozen volume");
        // The late copy, if the volume finished it, is removed: the key was never acknowledged.
        Path late = tmp.resolve("volume0").resolve(KeyPath.of(doomed).substring(1));
        assertTrue(
            eventually(
                Duration.ofSeconds(40), () -> !Files.exists(late) && unclaimed(master, doomed)),
            "the failed write left a copy or a record");
        assertEquals(404, get(master.baseUrl() + doomed).code());
        assertTrue(
            eventually(
                Duration.ofSeconds(20),
                () -> {
                  try {
                    return put(master.baseUrl() + doomed, "after").code() == 201;
                  } catch (IOException e) {
                    return false;
                  }
                }));
      }
    } finally {
      for (ServerProcess v : volumes) {
        v.close();
      }
    }
  }

  /** The GETs {@code volume} has answered, from its own metrics. */
  private static long gets(String volume) throws IOException {
    long n = 0;
    for (String line : get("http://" + volume + "/metrics").text().split("\n")) {
      if (line.startsWith("mkv_http_requests_total{") && line.contains("method=\"GET\"")) {
        n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }

  /** Whether neither listing shows the key. */
  private static boolean unclaimed(MasterServer master, String key) {
    try {
      return !get(master.baseUrl() + "/?list").text().contains(key)
          && !get(master.baseUrl() + "/?unlinked").text().contains(key);
    } catch (IOException e) {
      return false;
    }
  }
}
