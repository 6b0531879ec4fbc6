package mkv.master;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /_volumes}: what the master believes of each volume, as JSON, and which are replaced
 * (down too long) or being emptied by a rebalance.
 */
final class VolumesHandler {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final VolumeHealth health;
  private final Rebalancer rebalancer;
  private final CurrentPlacement current;

  VolumesHandler(VolumeHealth health, Rebalancer rebalancer, CurrentPlacement current) {
    this.health = health;
    this.rebalancer = rebalancer;
    this.current = current;
  }

  void handle(HttpServerExchange exchange) throws IOException {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(JSON.writeValueAsString(describe()));
  }

  /** Each volume as {@code /_volumes} shows it, in the order the master lists them. */
  List<Map<String, Object>> describe() {
    return health.all().stream()
        .map(
            s -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("volume", s.volume());
              m.put("state", s.state().name().toLowerCase(Locale.ROOT));
              m.put("lastError", s.lastError());
              m.put("lastSeen", s.lastSeen() == null ? null : s.lastSeen().toString());
              // a volume down past --replace-after: its keys are being (or have been) copied
              // elsewhere
              if (current.replaced().contains(s.volume())) {
                m.put("replaced", true);
                m.put("rereplication", rebalancer.progress());
              }
              if (!current.configured().volumes().contains(s.volume())) {
                m.put("leaving", true); // a rebalance is taking its keys away
              }
              return m;
            })
        .toList();
  }
}
