package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.util.HashMap;
import java.util.Map;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.PercentDecoding;

/**
 * A request's key (the percent-decoded path, leading {@code /} included) and query parameters,
 * parsed from the raw URL so that malformed encoding is refused rather than guessed at.
 */
record KeyRequest(String key, Map<String, String> query) {

  static KeyRequest parse(HttpServerExchange exchange) {
    String key = decode(exchange.getRequestPath(), false);
    String raw = exchange.getQueryString();
    if (raw == null || raw.isEmpty()) {
      return new KeyRequest(key, Map.of());
    }
    Map<String, String> query = new HashMap<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
      query.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1), true));
    }
    return new KeyRequest(key, query);
  }

  boolean has(String param) {
    return query.containsKey(param);
  }

  /**
   * Percent-decodes to UTF-8; in a query, {@code +} is a space (as Go's net/url, which
   * minikeyvalue's clients follow).
   *
   * @throws HttpError 400 on a malformed escape or bytes that are not UTF-8
   */
  static String decode(String s, boolean query) {
    try {
      return PercentDecoding.decode(s, query);
    } catch (PercentDecoding.Malformed e) {
      throw new HttpError(
          ErrorCode.BAD_KEY,
          e.notUtf8()
              ? "key is not valid UTF-8 once percent-decoded: " + clip(s)
              : "malformed percent-encoding in " + clip(s));
    }
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
