package mkv.client;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Encodes the head of an HTTP/1.1 request, as every client of ours without okhttp sends it. */
public final class RequestHead {
  private RequestHead() {}

  /**
   * {@code METHOD target HTTP/1.1}, {@code Host}, {@code Content-Length} when {@code length >= 0},
   * then {@code headers} in their order, and the empty line.
   *
   * @param target the path and query, already percent-encoded
   * @param host {@code host:port}
   */
  public static byte[] encode(
      String method, String target, String host, long length, Map<String, String> headers) {
    StringBuilder head =
        new StringBuilder(96 + target.length())
            .append(method)
            .append(' ')
            .append(target)
            .append(" HTTP/1.1\r\nHost: ")
            .append(host)
            .append("\r\n");
    if (length >= 0) {
      head.append("Content-Length: ").append(length).append("\r\n");
    }
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
