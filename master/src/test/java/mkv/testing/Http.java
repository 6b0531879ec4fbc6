package mkv.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Test-side HTTP: one client that does not follow redirects, and small helpers. */
public final class Http {
  public static final OkHttpClient CLIENT =
      new OkHttpClient.Builder()
          .followRedirects(false)
          .readTimeout(Duration.ofMinutes(2))
          .writeTimeout(Duration.ofMinutes(2))
          .retryOnConnectionFailure(false)
          .build();
  public static final MediaType OCTETS = MediaType.get("application/octet-stream");

  private Http() {}

  /** A finished response: status, headers, and the body as text. */
  public record Reply(int code, okhttp3.Headers headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  public static Reply call(String method, String url, byte[] body) throws IOException {
    RequestBody rb = body == null ? null : RequestBody.create(body, OCTETS);
    if (rb == null && (method.equals("PUT") || method.equals("POST"))) {
      rb = RequestBody.create(new byte[0], OCTETS);
    }
    return call(new Request.Builder().url(url).method(method, rb).build());
  }

  public static Reply call(Request request) throws IOException {
    try (Response r = CLIENT.newCall(request).execute()) {
      return new Reply(r.code(), r.headers(), r.body().bytes());
    }
  }

  public static Reply get(String url) throws IOException {
    return call("GET", url, null);
  }

  public static Reply put(String url, byte[] body) throws IOException {
    return call("PUT", url, body);
  }

  public static Reply put(String url, String body) throws IOException {
    return put(url, body.getBytes(StandardCharsets.UTF_8));
  }

  public static Reply delete(String url) throws IOException {
    return call("DELETE", url, null);
  }

  /** GET through the master's redirect: the value's bytes, or fails if not 302 then 200. */
  public static byte[] read(String url) throws IOException {
    Reply redirect = get(url);
    if (redirect.code() != 302) {
      throw new AssertionError(
          "expected 302 from " + url + ", got " + redirect.code() + " " + redirect.text());
    }
    Reply value = get(redirect.header("Location"));
    if (value.code() != 200) {
      throw new AssertionError(
          "expected 200 from " + redirect.header("Location") + ", got " + value.code());
    }
    return value.body();
  }

  /** Percent-encodes a key as a URL path (keeping '/'), as a client must. */
  public static String encodePath(String key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "/-._~".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * A condition that may ask a server: an IOException (a server not up yet, say) counts as false.
   */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws IOException;
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
  public static boolean eventually(Duration timeout, Condition condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (holds(condition)) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return holds(condition);
  }

  private static boolean holds(Condition condition) {
    try {
      return condition.holds();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The state ({@code up}, {@code slow}, {@code down}) the master's {@code /_volumes} gives a
   * server, or "?".
   */
  public static String volumeState(String masterUrl, String server) {
    try {
      var json =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(get(masterUrl + "/_volumes").body());
      for (var v : json) {
        if (v.get("volume").asText().equals(server)) {
          return v.get("state").asText();
        }
      }
    } catch (IOException e) {
      // not answering yet
    }
    return "?";
  }

  /**
   * Whether the master sees every one of {@code servers} up within 30 s (cold JVMs on a loaded
   * machine may be slow).
   */
  public static boolean allUp(String masterUrl, List<String> servers) {
    return eventually(
        Duration.ofSeconds(30),
        () -> servers.stream().allMatch(s -> volumeState(masterUrl, s).equals("up")));
  }
}
