package mkv.client;

import java.util.List;

/**
 * The head of an HTTP/1.1 response as {@link ResponseParser} read it: the status, the fields, and
 * how its body is framed.
 *
 * @param contentLength the {@code Content-Length} it declared, or -1 (also for a HEAD's answer,
 *     whose body is {@link Framing#NONE} whatever it declares)
 * @param names the field names as sent, in order; {@code values} holds each one's value
 */
public record ResponseHead(
    int status,
    boolean keepAlive,
    Framing framing,
    long contentLength,
    List<String> names,
    List<String> values) {

  /** How the body ends. */
  public enum Framing {
    /** No body: a HEAD's answer, a 204 or a 304. */
    NONE,
    /** {@code Content-Length} bytes. */
    LENGTH,
    /** The chunked coding, then trailer fields. */
    CHUNKED,
    /** Every byte until the server closes the connection. */
    UNTIL_CLOSE
  }

  /**
   * The value of field {@code name} (any case), a repeated field's values joined with {@code ", "}
   * as HTTP allows; null when absent.
   */
  public String header(String name) {
    String found = null;
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        found = found == null ? values.get(i) : found + ", " + values.get(i);
      }
    }
    return found;
  }
}
