package mkv.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mkv.sync.GroupCommit;

/**
 * One process's metrics (Micrometer, exposed as Prometheus text at {@code GET /metrics}, {@link
 * mkv.http.Protocol#METRICS}): HTTP requests, flushes, the JVM and its GC, and whatever the server
 * adds to {@link #registry()}.
 */
public final class Metrics implements AutoCloseable {
  /** Prometheus's text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Runs {@code refresh} before each scrape: for gauges whose set of series changes (one per
   * volume).
   */
  public void beforeScrape(Runnable refresh) {
    beforeScrape.add(refresh);
  }

  /** Wraps a server's handler so that every request is counted and timed. */
  public HttpHandler countRequests(HttpHandler next) {
    return new RequestMetrics(registry, next);
  }

  /** Times each flush of {@code commit} and counts the writes it covered, tagged with its name. */
  public void observe(GroupCommit commit) {
    Timer flush =
        Timer.builder("mkv.sync.flush")
            .description("time of each shared flush (fsync or syncfs)")
            .tag("name", commit.name())
            .serviceLevelObjectives(
                ms(0.5), ms(1), ms(2), ms(5), ms(10), ms(20), ms(50), ms(100), ms(500))
            .register(registry);
    DistributionSummary writes =
        DistributionSummary.builder("mkv.sync.flush.writes")
            .description("writes waiting that one flush covered")
            .tag("name", commit.name())
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
            .register(registry);
    commit.observe(
        (nanos, n) -> {
          flush.record(nanos, TimeUnit.NANOSECONDS);
          writes.record(n);
        });
  }

  /** Answers {@code GET /metrics}; call on a worker thread (a scrape takes a millisecond or so). */
  public void serve(HttpServerExchange exchange) {
    String text = scrape();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
    exchange.getResponseSender().send(text);
  }

  /** What this server has answered so far, as its request counters hold it. */
  public record Totals(double requests, double errors, double bytesIn, double bytesOut) {}

  /** The request counters summed, read from the registry (no scrape, no text to parse). */
  public Totals totals() {
    double requests = 0;
    double errors = 0;
    for (Counter c : registry.find("mkv.http.requests").counters()) {
      requests += c.count();
      String status = c.getId().getTag("status");
      if (status != null && status.startsWith("5")) {
        errors += c.count();
      }
    }
    return new Totals(
        requests,
        errors,
        registry.counter("mkv.http.received.bytes").count(),
        registry.counter("mkv.http.sent.bytes").count());
  }

  /** The Prometheus text {@code GET /metrics} answers. */
  public String scrape() {
    beforeScrape.forEach(Runnable::run);
    return registry.scrape();
  }

  static Duration ms(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000));
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
