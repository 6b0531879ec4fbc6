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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole bench on its own child-process cluster, small and short: every workload runs, nothing fails. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchMainTest {
  @TempDir
  Path dir;

  @Test
  void clusterRunReportsEveryWorkloadWithoutErrors() throws Exception {
    Path json = dir.resolve("results.json");
    Path png = dir.resolve("results.png");
    int status = new CommandLine(new BenchMain()).execute("--cluster", "--duration", "2s", "--warmup", "1s", "--size", "4MiB",
        "--keys", "50", "--list-keys", "3000", "--count", "20000", "--out", json.toString(), "--plot", png.toString());

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
  void badFlagIsUsageError() {
    assertEquals(2, new CommandLine(new BenchMain()).execute("--cluster", "--workloads", "nope"));
    assertEquals(2, new CommandLine(new BenchMain()).execute("--duration", "1s"));
  }
}
