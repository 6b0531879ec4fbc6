package mkv.tools.rebalance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import mkv.http.Protocol;
import mkv.tools.AdminToken;
import mkv.tools.Summary;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Asks a running master to adopt a new placement ({@code POST /_rebalance}) and follows its move
 * ({@code GET /_rebalance}) until every key is in place or a pass could not move some.
 */
final class OnlineRebalance {
  private static final Logger LOG = Logger.getLogger(OnlineRebalance.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String master;
  private final boolean json;
  private final OkHttpClient http =
      new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  /**
   * @param json print the master's last status as one line of JSON on stdout at the end
   */
  OnlineRebalance(String master, boolean json) {
    this.master = master.replaceAll("/+$", "");
    this.json = json;
  }

  /**
   * @param replicas null to keep the master's
   * @param subvolumes null to keep the master's
   * @param rateMiB null for the master's default
   * @return 0 when every key is where the new placement puts it, 1 otherwise
   */
  int run(
      List<String> volumes,
      Integer replicas,
      Integer subvolumes,
      Integer workers,
      Integer rateMiB,
      Duration every)
      throws IOException, InterruptedException {
    StringBuilder q =
        new StringBuilder("?volumes=")
            .append(URLEncoder.encode(String.join(",", volumes), StandardCharsets.UTF_8));
    append(q, "replicas", replicas);
    append(q, "subvolumes", subvolumes);
    append(q, "workers", workers);
    append(q, "rate", rateMiB);
    JsonNode status =
        call(
            AdminToken.sign(
                    new Request.Builder()
                        .url(master + Protocol.REBALANCE + q)
                        .post(RequestBody.create(new byte[0], MediaType.get("text/plain"))))
                .build());
    LOG.info(
        master
            + " now places keys by "
            + status.path("placement").asText()
            + "; moving keys in the background");
    String started = status.path("started").asText();
    long lastLog = 0;
    while (true) {
      String state = status.path("state").asText();
      if (!status.path("started").asText().equals(started)) {
        LOG.warning("another move replaced this one on the master: " + status.path("why").asText());
        return 1;
      }
      if (json && (state.equals("done") || state.equals("incomplete"))) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) status).put("ok", state.equals("done"));
        System.out.println(JSON.writeValueAsString(status));
      }
      if (state.equals("done")) {
        LOG.info("rebalance done: " + counts(status));
        return 0;
      }
      if (state.equals("incomplete")) {
        LOG.warning(
            "rebalance incomplete: "
                + counts(status)
                + (status.path("waitingFor").isNull()
                    ? ""
                    : "; waiting for: " + status.path("waitingFor").asText()));
        status.path("failures").forEach(f -> LOG.warning("  " + f.asText()));
        LOG.warning("the master keeps trying in the background; re-run this command to follow it");
        return 1;
      }
      if (System.nanoTime() - lastLog >= every.toNanos()) {
        LOG.info("rebalance: pass " + status.path("pass").asInt() + ", " + counts(status));
        lastLog = System.nanoTime();
      }
      Thread.sleep(200);
      status = call(new Request.Builder().url(master + Protocol.REBALANCE).build());
    }
  }

  private static String counts(JsonNode s) {
    return "moved "
        + s.path("moved").asLong()
        + " keys ("
        + Summary.bytes(s.path("movedBytes").asLong())
        + "); this pass: "
        + s.path("passMoved").asLong()
        + " of "
        + s.path("toMove").asLong()
        + " to move, "
        + s.path("scanned").asLong()
        + " scanned; "
        + s.path("failed").asLong()
        + " failed, in "
        + s.path("elapsedSeconds").asDouble()
        + " s";
  }

  private static void append(StringBuilder q, String name, Integer value) {
    if (value != null) {
      q.append('&').append(name).append('=').append(value);
    }
  }

  private JsonNode call(Request request) throws IOException {
    try (Response r = http.newCall(request).execute()) {
      String body = r.body().string();
      if (r.code() != 200 && r.code() != 202) {
        throw new IOException(master + " answered " + r.code() + ": " + body.strip());
      }
      return JSON.readTree(body);
    }
  }
}
