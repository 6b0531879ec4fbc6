package mkv.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts every request by method and status, times it by method (a Prometheus histogram), and adds
 * up the bytes of request and response bodies. Meters are looked up in arrays, not by tags, so that
 * a redirect pays a few nanoseconds for being counted.
 */
final class RequestMetrics implements HttpHandler {
  private static final HttpString[] METHODS = {
    Methods.GET, Methods.HEAD, Methods.PUT, Methods.DELETE, Methods.POST
  };
  private static final String OTHER = "OTHER";
  private static final int STATUSES = 600;

  private final MeterRegistry registry;
  private final HttpHandler next;
  private final Timer[] timers = new Timer[METHODS.length + 1];
  private final AtomicReferenceArray<Counter> counters =
      new AtomicReferenceArray<>((METHODS.length + 1) * STATUSES);
  private final Counter received;
  private final Counter sent;

  RequestMetrics(MeterRegistry registry, HttpHandler next) {
    this.registry = registry;
    this.next = next;
    for (int m = 0; m <= METHODS.length; m++) {
      timers[m] =
          Timer.builder("mkv.http.request")
              .description("time from a request's start to its answer's end")
              .tag("method", name(m))
              .serviceLevelObjectives(
                  Metrics.ms(0.25),
                  Metrics.ms(0.5),
                  Metrics.ms(1),
                  Metrics.ms(2.5),
                  Metrics.ms(5),
                  Metrics.ms(10),
                  Metrics.ms(25),
                  Metrics.ms(50),
                  Metrics.ms(100),
                  Metrics.ms(250),
                  Metrics.ms(500),
                  Metrics.ms(1000),
                  Metrics.ms(2500),
                  Metrics.ms(10_000))
              .register(registry);
    }
    this.received =
        Counter.builder("mkv.http.received.bytes")
            .description("request body bytes announced")
            .register(registry);
    this.sent =
        Counter.builder("mkv.http.sent.bytes")
            .description("response body bytes")
            .register(registry);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    long start = System.nanoTime();
    exchange.addExchangeCompleteListener(
        (done, nextListener) -> {
          try {
            record(done, start);
          } finally {
            nextListener.proceed();
          }
        });
    next.handleRequest(exchange);
  }

  private void record(HttpServerExchange exchange, long start) {
    int m = method(exchange.getRequestMethod());
    timers[m].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    int status = exchange.getStatusCode();
    counter(m, status >= 100 && status < STATUSES ? status : 0).increment();
    long in = exchange.getRequestContentLength();
    if (in > 0) {
      received.increment(in);
    }
    long out = exchange.getResponseContentLength();
    if (out > 0 && m != 1) { // a HEAD announces a length it does not send
      sent.increment(out);
    }
  }

  private Counter counter(int method, int status) {
    int i = method * STATUSES + status;
    Counter c = counters.get(i);
    if (c == null) {
      c =
          Counter.builder("mkv.http.requests")
              .description("requests answered, by method and status")
              .tag("method", name(method))
              .tag("status", Integer.toString(status))
              .register(registry);
      counters.set(i, c); // the registry returns the same counter to a racing thread
    }
    return c;
  }

  private static int method(HttpString method) {
    for (int i = 0; i < METHODS.length; i++) {
      if (METHODS[i].equals(method)) {
        return i;
      }
    }
    return METHODS.length;
  }

  private static String name(int method) {
    return method < METHODS.length ? METHODS[method].toString() : OTHER;
  }
}
