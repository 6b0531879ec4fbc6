package mkv.master;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mkv.index.Record;
import mkv.metrics.Metrics;
import mkv.status.Sample;
import mkv.status.Sampler;

/**
 * {@code GET /_status}: a page for people (HTML, no external assets, refreshing itself) with each
 * volume's state, rates and disk use and the recent errors; {@code GET /_status?json} is what the
 * page reads. Volumes are sampled only while someone looks, at most twice a second.
 */
final class StatusHandler {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final long MIN_INTERVAL_NANOS = 500_000_000L;
  private static final byte[] PAGE = page();

  private final VolumesHandler volumes;
  private final HealthHandler health;
  private final Rebalancer rebalancer;
  private final Metrics metrics;
  private final MasterMetrics records;
  private final Sampler sampler;
  private final RecentErrors errors;
  private Sample lastMaster; // guarded by this
  private String lastJson; // guarded by this
  private long lastAt; // guarded by this

  StatusHandler(
      VolumesHandler volumes,
      HealthHandler health,
      Rebalancer rebalancer,
      Metrics metrics,
      MasterMetrics records,
      Sampler sampler,
      RecentErrors errors) {
    this.volumes = volumes;
    this.health = health;
    this.rebalancer = rebalancer;
    this.metrics = metrics;
    this.records = records;
    this.sampler = sampler;
    this.errors = errors;
  }

  void page(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseSender().send(ByteBuffer.wrap(PAGE));
  }

  /** Samples the volumes (a worker thread: it waits on them, bounded by the connect timeout). */
  void json(HttpServerExchange exchange) throws IOException {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseSender().send(snapshot());
  }

  private synchronized String snapshot() throws IOException {
    long now = System.nanoTime();
    if (lastJson != null && now - lastAt < MIN_INTERVAL_NANOS) {
      return lastJson;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("time", Instant.now().toString());
    out.put("master", master());
    List<Map<String, Object>> vols = volumes.describe();
    Map<String, Sampler.Reading> readings =
        sampler.round(vols.stream().map(v -> (String) v.get("volume")).toList());
    for (Map<String, Object> v : vols) {
      Sampler.Reading r = readings.get((String) v.get("volume"));
      putRates(v, r.rates());
      v.put("diskFree", number(r.sample().diskFree()));
      v.put("diskTotal", number(r.sample().diskTotal()));
    }
    out.put("volumes", vols);
    out.put(
        "errors",
        errors.newestFirst().stream()
            .map(e -> Map.of("time", e.time().toString(), "message", e.message()))
            .toList());
    lastJson = JSON.writeValueAsString(out);
    lastAt = now;
    return lastJson;
  }

  private Map<String, Object> master() {
    Map<String, Object> m = new LinkedHashMap<>();
    HealthHandler.Readiness ready = health.readiness();
    m.put("ready", ready.ready());
    m.put("readiness", ready.line());
    Sample sample = Sample.of(System.nanoTime(), metrics.totals());
    putRates(m, lastMaster == null ? Sample.Rates.UNKNOWN : sample.since(lastMaster));
    lastMaster = sample;
    Map<String, Object> counts = new LinkedHashMap<>();
    for (Record.State s : Record.State.values()) {
      counts.put(s.name().toLowerCase(Locale.ROOT), number(records.count(s)));
    }
    m.put("records", counts);
    m.put("recordsCountedAt", records.countedAt().toString());
    m.put("rebalance", rebalancer.progress());
    return m;
  }

  private static void putRates(Map<String, Object> m, Sample.Rates r) {
    m.put("requestsPerSecond", number(r.requests()));
    m.put("errorsPerSecond", number(r.errors()));
    m.put("bytesInPerSecond", number(r.bytesIn()));
    m.put("bytesOutPerSecond", number(r.bytesOut()));
  }

  // JSON has no NaN: unknown is null
  private static Double number(double d) {
    return Double.isNaN(d) ? null : d;
  }

  private static byte[] page() {
    try (InputStream in = StatusHandler.class.getResourceAsStream("status.html")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
