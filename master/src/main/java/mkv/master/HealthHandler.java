package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.List;
import mkv.http.ErrorCode;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.PlacementRecord;

/**
 * For load balancers and orchestrators: {@code GET /_health} is 200 while the process serves;
 * {@code GET /_ready} is 200 while a write can succeed, else 503 with the reason in one line (fewer
 * writable volumes than a write needs, or an index that cannot be read).
 */
final class HealthHandler {
  private final Index index;
  private final VolumeHealth health;
  private final CurrentPlacement placement;
  private final int minReplicas;

  HealthHandler(Index index, VolumeHealth health, CurrentPlacement placement, int minReplicas) {
    this.index = index;
    this.health = health;
    this.placement = placement;
    this.minReplicas = minReplicas;
  }

  void health(HttpServerExchange exchange) {
    send(exchange, 200, "ok");
  }

  void ready(HttpServerExchange exchange) {
    Readiness r = readiness();
    if (!r.ready()) {
      exchange.getResponseHeaders().put(Protocol.ERROR, ErrorCode.NOT_READY.code());
    }
    send(exchange, r.ready() ? 200 : ErrorCode.NOT_READY.status(), r.line());
  }

  /** Whether a write can succeed now, and why (or why not) in one line. */
  record Readiness(boolean ready, String line) {}

  Readiness readiness() {
    try {
      PlacementRecord.stored(index); // a read of the index
    } catch (RuntimeException e) {
      return new Readiness(false, "not ready: the index cannot be read: " + e.getMessage());
    }
    List<String> volumes = placement.effective().volumes();
    List<String> writable = volumes.stream().filter(health::writable).toList();
    if (writable.size() < minReplicas) {
      List<String> out =
          volumes.stream()
              .filter(v -> !writable.contains(v))
              .map(v -> v + " " + health.state(v).name().toLowerCase(java.util.Locale.ROOT))
              .toList();
      return new Readiness(
          false,
          "not ready: "
              + writable.size()
              + " of "
              + volumes.size()
              + " volumes take "
              + "writes, a write needs "
              + minReplicas
              + " ("
              + String.join(", ", out)
              + ")");
    }
    return new Readiness(
        true, "ready: " + writable.size() + " of " + volumes.size() + " volumes take writes");
  }

  private static void send(HttpServerExchange exchange, int status, String line) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseSender().send(line + "\n");
  }
}
