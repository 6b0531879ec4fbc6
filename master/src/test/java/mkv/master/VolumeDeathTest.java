package mkv.master;

import static mkv.testing.Http.allUp;
import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static mkv.testing.Http.volumeState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.layout.Placement;
import mkv.testing.ChildJvm;
import mkv.testing.Http.Reply;
import mkv.testing.ServerProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A volume process that dies is out of rotation at once, long before the next background check. */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VolumeDeathTest {
  @Test
  void aKilledVolumeIsDownInMillisecondsAndBackWhenItReturns(@TempDir Path tmp) throws Exception {
    List<ServerProcess> volumes = new ArrayList<>();
    try {
      volumes.addAll(ChildJvm.volumes(tmp, 3));
      List<String> addresses = volumes.stream().map(v -> "127.0.0.1:" + v.port()).toList();
      // The background check runs once at start, then not for an hour: only the watch can notice.
      MasterConfig config =
          MasterConfig.builder(tmp.resolve("index"), addresses)
              .replicas(2)
              .subvolumes(1)
              .voltimeout(Duration.ofSeconds(2))
              .checkInterval(Duration.ofHours(1))
              .build();
      try (MasterServer master = MasterServer.start(config)) {
        assertTrue(allUp(master.baseUrl(), addresses));
        String victim = addresses.get(0);
        Placement placement = config.placement();
        List<String> keys =
            Stream.iterate(0, i -> i + 1)
                .limit(1000)
                .map(i -> "/k" + i)
                .filter(k -> placement.replicasFor(k).contains(victim))
                .limit(20)
                .toList();
        for (String k : keys) {
          assertEquals(201, put(master.baseUrl() + k, "v").code());
        }

        long start = System.nanoTime();
        volumes.get(0).kill();
        assertTrue(
            eventually(
                Duration.ofSeconds(30), () -> volumeState(master.baseUrl(), victim).equals("down")),
            "a killed volume was not noticed without a background check (an hour away)");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.err.println(
            "VolumeDeathTest: a killed volume was marked down "
                + ms
                + " ms after kill -9 returned");
        for (String k : keys) {
          Reply r = get(master.baseUrl() + k);
          assertEquals(302, r.code());
          assertFalse(r.header("Location").contains(victim), "a read was sent to the dead volume");
        }

        volumes.set(
            0,
            ChildJvm.volume(tmp, 0, Integer.parseInt(victim.substring(victim.indexOf(':') + 1))));
        assertTrue(
            eventually(
                Duration.ofSeconds(10), () -> volumeState(master.baseUrl(), victim).equals("up")),
            "a volume that came back was not noticed");
      }
    } finally {
      volumes.forEach(ServerProcess::close);
    }
  }
}
