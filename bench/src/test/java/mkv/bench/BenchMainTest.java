package mkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole bench on its own child-process cluster, small and short: every workload runs, nothing
 * fails.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchMainTest {
  @TempDir Path dir;

  @Test
  void clusterRunReportsEveryWorkloadWithoutErrors() throws Exception {
    Path json = dir.resolve("results.json");
    Path png = dir.resolve("results.png");
    int status =
        new CommandLine(new BenchMain())
            .execute(
                "--cluster",
                "--duration",
                "2s",
                "--warmup",
                "1s",
                "--size",
                "4MiB",
                "--keys",
                "50",
                "--list-keys",
                "3000",
                "--count",
                "20000",
                "--out",
                json.toString(),
                "--plot",
                png.toString());

    assertEquals(0, status);
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals(0, doc.get("errors").asLong());
    Map<String, Long> ops = new HashMap<>();
    for (JsonNode row : doc.get("results")) {
      ops.merge(row.get("workload").asText(), row.get("ops").asLong(), Long::sum);
      assertEquals(0, row.get("errors").asLong(), row.get("name").asText());
    }
    for (String w : BenchConfig.ALL) {
      if (w.equals("ceiling") && Nginx.find() == null) {
        continue; // the reference needs nginx
      }
      assertTrue(ops.getOrDefault(w, 0L) > 0, w + " ran no operations: " + ops);
    }
    assertTrue(Files.size(png) > 0);
  }

  @Test
  void cycleGivesCpuPerCycleOfEveryProcessInNginxUnits() throws Exception {
    Assumptions.assumeTrue(
        Nginx.find() != null, "nginx is not installed (apt-get install nginx; .ci/run does)");
    Path json = dir.resolve("cpu.json");
    int status =
        new CommandLine(new BenchMain())
            .execute(
                "--cluster",
                "--workloads",
                "cycle",
                "--duration",
                "2s",
                "--warmup",
                "0s",
                "--sync",
                "batch",
                "--reference-volumes",
                "nginx",
                "--out",
                json.toString());

    assertEquals(0, status);
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals("batch", doc.get("sync").asText());
    JsonNode ours = doc.get("results").get(0).get("extra");
    JsonNode reference = doc.get("results").get(1);
    assertEquals("cycle, nginx volumes", reference.get("name").asText());
    assertEquals("batch", ours.get("sync").asText());
    for (String process : new String[] {"master", "volume0", "volume1", "volume2", "client"}) {
      assertTrue(
          ours.get("cpu_ms_per_cycle").get(process).asDouble() > 0,
          process + " used no CPU: " + ours);
      assertTrue(ours.get("cpu_in_nginx_units").get(process).asDouble() > 0, process + ": " + ours);
    }
    for (String process : new String[] {"master", "nginx0", "nginx1", "nginx2"}) {
      assertTrue(
          reference.get("extra").get("cpu_ms_per_cycle").get(process).asDouble() > 0,
          process + ": " + reference);
    }
    assertTrue(ours.get("cpu_in_nginx_units").get("master+volumes").asDouble() > 0);
  }

  @Test
  void aRunAgainstARealClusterDeletesTheKeysItWrote(@TempDir Path tmp) throws Exception {
    try (mkv.volume.VolumeServer v =
            mkv.volume.VolumeServer.start(
                Files.createDirectories(tmp.resolve("v")), "127.0.0.1", 0);
        mkv.master.MasterServer m =
            mkv.master.MasterServer.start(
                mkv.master.MasterConfig.of(
                    tmp.resolve("index"), java.util.List.of(v.address()), 1, 1))) {
      int status =
          new CommandLine(new BenchMain())
              .execute(
                  "--url",
                  m.baseUrl(),
                  "--workloads",
                  "redirect,cycle",
                  "--duration",
                  "1s",
                  "--warmup",
                  "1s",
                  "--keys",
                  "50",
                  "--no-nginx",
                  "--out",
                  tmp.resolve("r.json").toString());
      assertEquals(0, status);
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      for (String query : new String[] {"/?list", "/?unlinked"}) {
        String body =
            http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(m.baseUrl() + query))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertEquals(
            0, new ObjectMapper().readTree(body).path("keys").size(), "left behind: " + body);
      }
    }
  }

  @Test
  void badFlagIsUsageError() {
    assertEquals(2, new CommandLine(new BenchMain()).execute("--cluster", "--workloads", "nope"));
    assertEquals(2, new CommandLine(new BenchMain()).execute("--duration", "1s"));
    assertEquals(
        2, new CommandLine(new BenchMain()).execute("--cluster", "--reference-volumes", "apache"));
    assertEquals(2, new CommandLine(new BenchMain()).execute("--cluster", "--sync", "sometimes"));
  }
}
