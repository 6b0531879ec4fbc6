package mkv.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Prometheus text as our servers write it: labels with escapes, sums by label, rates between
 * samples.
 */
class PromTextTest {
  private static final String TEXT =
      """
      # HELP mkv_http_requests_total requests answered, by method and status
      # TYPE mkv_http_requests_total counter
      mkv_http_requests_total{method="GET",status="302"} 120.0
      mkv_http_requests_total{method="PUT",status="201"} 30.0
      mkv_http_requests_total{method="PUT",status="502"} 2.0
      mkv_http_received_bytes_total 4096.0
      disk_free_bytes{path="/data/a \\"b\\""} 1.0E9
      disk_total_bytes{path="/data/a \\"b\\""} 4.0E9
      """;

  @Test
  void sumsByNameAndLabels() {
    PromText m = PromText.parse(TEXT);
    assertEquals(152, m.sum("mkv_http_requests_total"));
    assertEquals(32, m.sum("mkv_http_requests_total", "method", "PUT"));
    assertEquals(2, m.sumWhere("mkv_http_requests_total", "status", "5"));
    assertEquals(1e9, m.sum("disk_free_bytes", "path", "/data/a \"b\""));
    assertTrue(Double.isNaN(m.sum("absent")));
  }

  @Test
  void ratesAreDifferencesPerSecondAndUnknownAcrossARestart() {
    Sample before = Sample.of(0, PromText.parse(TEXT));
    Sample after = Sample.of(2_000_000_000L, PromText.parse(TEXT.replace("} 120.0", "} 320.0")));
    assertEquals(100, after.since(before).requests());
    assertEquals(0, after.since(before).errors());
    assertTrue(Double.isNaN(before.since(after).requests()), "counters went back: a restart");
    assertEquals(4e9, after.diskTotal());
    assertEquals(
        0, Sample.of(0, PromText.parse("mkv_http_requests_total{status=\"200\"} 1")).errors());
  }
}
