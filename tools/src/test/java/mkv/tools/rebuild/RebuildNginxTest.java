package mkv.tools.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mkv.client.VolumeClient;
import mkv.index.Record;
import mkv.master.MasterConfig;
import mkv.testing.NginxVolume;
import mkv.testing.TestCluster;
import mkv.tools.Fixture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Rebuild reads stock nginx volumes (autoindex JSON) as it reads ours. */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RebuildNginxTest {
  @Test
  void rebuildFromNginxVolumesGivesTheSameRecordsAndValues(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(NginxVolume.isInstalled(), "nginx is not installed");
    List<NginxVolume> nginx = new ArrayList<>();
    try (TestCluster c = TestCluster.volumes(tmp, 0)) {
      for (int i = 0; i < 3; i++) {
        nginx.add(NginxVolume.start(Files.createDirectories(tmp.resolve("data" + i))));
      }
      List<String> volumes = nginx.stream().map(NginxVolume::address).toList();
      Path db = tmp.resolve("index");
      c.startMaster(MasterConfig.of(db, volumes, 2, 3));
      List<String> keys = Fixture.keys(150);
      Fixture.write(c, keys);
      c.stopMaster();
      Map<String, Record> original = Fixture.records(db);

      Path rebuilt = tmp.resolve("rebuilt");
      Rebuild.Result result =
          new Rebuild(
                  new RebuildConfig(
                      rebuilt, volumes, 2, 3, 8, true, false, false, Duration.ofSeconds(10)),
                  new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(30)))
              .run();
      assertTrue(result.ok(), result.summary());
      assertEquals(0, result.unbalanced(), result.summary());
      Map<String, Record> now = Fixture.records(rebuilt);
      assertEquals(original.keySet(), now.keySet());
      for (var e : original.entrySet()) {
        Record r = now.get(e.getKey());
        assertEquals(e.getValue().replicas(), r.replicas(), e.getKey());
        assertEquals(e.getValue().size(), r.size(), e.getKey());
        assertEquals(e.getValue().md5(), r.md5(), e.getKey());
      }
      c.startMaster(MasterConfig.of(rebuilt, volumes, 2, 3));
      Fixture.assertReadable(c, keys);
    } finally {
      for (NginxVolume v : nginx) {
        v.close();
      }
    }
  }
}
