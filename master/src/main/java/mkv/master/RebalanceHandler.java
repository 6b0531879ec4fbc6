package mkv.master;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.layout.Placement;

/**
 * {@code GET /_rebalance}: how the move to the current placement stands, as JSON. {@code POST
 * /_rebalance?volumes=a:1,b:2[&replicas=N][&subvolumes=N][&workers=N][&rate=MiB/s]}: adopts that
 * placement (replicas and subvolumes default to the current ones) and starts moving keys; 202 with
 * the same JSON.
 */
final class RebalanceHandler {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Rebalancer rebalancer;
  private final CurrentPlacement current;

  RebalanceHandler(Rebalancer rebalancer, CurrentPlacement current) {
    this.rebalancer = rebalancer;
    this.current = current;
  }

  void status(HttpServerExchange exchange) throws Exception {
    send(exchange, 200, status());
  }

  void start(HttpServerExchange exchange, KeyRequest request) throws Exception {
    Map<String, String> q = request.query();
    String volumes = q.get("volumes");
    if (volumes == null || volumes.isBlank()) {
      throw new HttpError(ErrorCode.BAD_PARAMETER, "volumes=host:port,host:port,... is required");
    }
    Placement now = current.configured();
    Placement next;
    try {
      next =
          new Placement(
              Arrays.stream(volumes.split(",")).map(String::trim).toList(),
              number(q, "replicas", now.replicas()),
              number(q, "subvolumes", now.subvolumes()));
    } catch (IllegalArgumentException e) {
      throw new HttpError(ErrorCode.BAD_PARAMETER, e.getMessage());
    }
    int workers = number(q, "workers", 0);
    long rate = q.containsKey("rate") ? (long) number(q, "rate", 0) << 20 : -1;
    rebalancer.start(next, workers, rate);
    send(exchange, 202, status());
  }

  /** How the run under way (or the last) stands. */
  private Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    RebalanceRun r = rebalancer.run();
    m.put("state", r == null ? "idle" : r.phase.name().toLowerCase(Locale.ROOT));
    m.put("placement", current.configured().describe());
    m.put("replaced", List.copyOf(r == null ? current.replaced() : r.replaced));
    if (r == null) {
      return m;
    }
    RebalanceRun.Pass p = r.pass;
    m.put("why", r.why);
    m.put("target", r.configured.describe());
    m.put("pass", r.passes);
    if (p != null) {
      m.put("scanned", p.scanned.sum());
      m.put("toMove", p.toMove.sum());
      m.put("toMoveBytes", p.toMoveBytes.sum());
      m.put("passMoved", p.moved.sum());
      m.put("waiting", p.waiting.sum());
    }
    m.put("moved", r.moved.sum());
    m.put("movedBytes", r.movedBytes.sum());
    m.put("failed", r.failed.sum());
    m.put("waitingFor", r.waitingFor);
    m.put("failures", List.copyOf(r.failures));
    m.put("workers", r.workers);
    m.put("rateBytesPerSecond", r.rate);
    m.put("started", r.started.toString());
    m.put("finished", r.finished == null ? null : r.finished.toString());
    Instant end = r.finished == null ? Instant.now() : r.finished;
    m.put("elapsedSeconds", Duration.between(r.started, end).toMillis() / 1000.0);
    return m;
  }

  private static int number(Map<String, String> q, String name, int otherwise) {
    String v = q.get(name);
    if (v == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new HttpError(
          ErrorCode.BAD_PARAMETER, name + " must be a whole number, not '" + v + "'");
    }
  }

  private static void send(HttpServerExchange exchange, int status, Object body) throws Exception {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(JSON.writeValueAsString(body) + "\n");
  }
}
