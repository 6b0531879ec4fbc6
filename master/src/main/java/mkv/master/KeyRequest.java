package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import mkv.http.HttpError;

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
    if (s.indexOf('%') < 0 && !(query && s.indexOf('+') >= 0)) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new HttpError(400, "malformed percent-encoding in " + clip(s));
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new HttpError(400, "malformed percent-encoding in " + clip(s));
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+' && query) {
        out.write(' ');
      } else if (c < 0x80) {
        out.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new HttpError(400, "key is not valid UTF-8 once percent-decoded: " + clip(s));
    }
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
