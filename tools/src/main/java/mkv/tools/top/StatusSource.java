package mkv.tools.top;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import mkv.http.Protocol;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Fetches the master's {@code /_status?json}; a failure is a screen that says so, not an exit. */
final class StatusSource implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
  private final String master;

  StatusSource(String master) {
    this.master = master;
  }

  /** The master's status, or a node {@code {"unreachable": "why"}}. */
  JsonNode fetch() {
    Request request = new Request.Builder().url(master + Protocol.STATUS + "?json").build();
    try (Response r = http.newCall(request).execute()) {
      String body = r.body().string();
      if (r.code() != 200) {
        return JSON.createObjectNode()
            .put("unreachable", r.code() + " on GET " + Protocol.STATUS + "?json: " + body.trim());
      }
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("unreachable", String.valueOf(e.getMessage()));
    }
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
