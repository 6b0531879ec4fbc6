package mkv.master;

import static mkv.testing.Http.delete;
import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mkv.testing.Http.Reply;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus text at /metrics on the master and on a volume, counting what was done. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {
  @Test
  void masterAndVolumeCountRequestsBytesStatesAndFlushes(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 3)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .replicas(2)
              .subvolumes(1)
              .build());
      String url = c.master().baseUrl();
      for (int i = 0; i < 5; i++) {
        assertEquals(201, put(url + "/m" + i, "value" + i).code());
        assertEquals(302, get(url + "/m" + i).code());
        assertEquals(302, get(url + "/m" + i).code()); // the second is a read-cache hit
      }
      assertEquals(404, get(url + "/nothing").code());

      Reply metrics = get(url + "/metrics");
      assertEquals(200, metrics.code());
      assertTrue(
          metrics.header("Content-Type").startsWith("text/plain"), metrics.header("Content-Type"));
      String m = metrics.text();
      assertEquals(10, value(m, "mkv_http_requests_total\\{method=\"GET\",status=\"302\"\\}"), m);
      assertEquals(5, value(m, "mkv_http_requests_total\\{method=\"PUT\",status=\"201\"\\}"));
      assertEquals(1, value(m, "mkv_http_requests_total\\{method=\"GET\",status=\"404\"\\}"));
      assertTrue(value(m, "mkv_http_request_seconds_count\\{method=\"GET\"\\}") >= 11);
      assertTrue(
          m.contains("mkv_http_request_seconds_bucket{method=\"GET\",le=\"0.001\"}"),
          "latency histogram");
      assertTrue(value(m, "mkv_http_received_bytes_total") >= 5 * "value0".length());
      assertTrue(value(m, "mkv_read_cache_hits_total") >= 5);
      for (String v : c.addresses()) {
        assertEquals(1, value(m, "mkv_volume_up\\{volume=\"" + v + "\"\\}"));
        assertEquals(1, value(m, "mkv_volume_writable\\{volume=\"" + v + "\"\\}"));
      }
      assertTrue(
          value(m, "mkv_sync_flush_seconds_count\\{name=\"index-sync\"\\}") >= 1, "index flushes");
      assertTrue(m.contains("mkv_rebalance_moved_keys"), "rebalance progress");
      assertTrue(m.contains("jvm_memory_used_bytes"), "JVM");
      assertTrue(m.contains("jvm_gc_"), "GC");
      // exact at once: every write of the index keeps the counts
      assertEquals(5, value(m, "mkv_index_records\\{state=\"live\"\\}"), "live records");
      assertEquals(0, value(m, "mkv_index_records\\{state=\"pending\"\\}"), "pending records");
      assertEquals(204, delete(url + "/m0").code());
      assertEquals(
          4,
          value(get(url + "/metrics").text(), "mkv_index_records\\{state=\"live\"\\}"),
          "live records after a DELETE");

      String volume = get("http://" + c.addresses().get(0) + "/metrics").text();
      assertTrue(
          value(volume, "mkv_http_requests_total\\{method=\"PUT\",status=\"201\"\\}") >= 1, volume);
      assertTrue(value(volume, "mkv_http_received_bytes_total") > 0);
      assertTrue(
          value(volume, "mkv_sync_flush_seconds_count\\{name=\"volume-sync\"\\}") >= 1,
          "volume flushes");

      c.kill(0);
      String downSeries = "mkv_volume_up\\{volume=\"" + c.addresses().get(0) + "\"\\}";
      assertTrue(
          eventually(
              Duration.ofSeconds(5), () -> value(get(url + "/metrics").text(), downSeries) == 0),
          "a volume down shows");
    }
  }

  /** The value of the first sample whose name and labels match {@code series} (a regex), or -1. */
  static double value(String text, String series) {
    Matcher matcher = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(text);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
  }

  @Test
  void accessLogsHaveOneCommonLogLinePerRequest(@TempDir Path tmp) throws Exception {
    Path volumeLog = tmp.resolve("volume-access.log");
    Path masterLog = tmp.resolve("master-access.log");
    try (mkv.volume.VolumeServer v =
        mkv.volume.VolumeServer.start(
            mkv.volume.VolumeConfig.of(
                    java.nio.file.Files.createDirectories(tmp.resolve("v")), "127.0.0.1", 0)
                .withAccessLog(volumeLog.toString()))) {
      try (MasterServer master =
          MasterServer.start(
              MasterConfig.builder(tmp.resolve("index"), java.util.List.of(v.address()))
                  .replicas(1)
                  .subvolumes(1)
                  .accessLog(masterLog.toString())
                  .build())) {
        assertEquals(201, put(master.baseUrl() + "/logged", "x").code());
        assertEquals(302, get(master.baseUrl() + "/logged").code());
      }
    }
    String m = java.nio.file.Files.readString(masterLog);
    assertTrue(
        m.matches(
            "(?s)127\\.0\\.0\\.1 - - \\[[^]]+\\] \"PUT /logged HTTP/1\\.1\" 201 .*\n"
                + "127\\.0\\.0\\.1 - - \\[[^]]+\\] \"GET /logged HTTP/1\\.1\" 302 .*"),
        m);
    String v = java.nio.file.Files.readString(volumeLog);
    assertTrue(Pattern.compile("\"PUT /[^ ]+ HTTP/1\\.1\" 201 ").matcher(v).find(), v);
  }
}
