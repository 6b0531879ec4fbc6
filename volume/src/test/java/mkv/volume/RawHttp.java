package mkv.volume;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte for byte on a socket, for paths and bodies that HTTP clients would fix up.
 */
final class RawHttp {
  private RawHttp() {}

  /** A response as read off the wire. */
  record Response(int status, String head, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  /** Sends {@code request} (with "Connection: close" in it) and reads the response to EOF. */
  static Response exchange(int port, String request) throws IOException {
    try (Socket s = connect(port)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return read(s.getInputStream());
    }
  }

  /** One request line with Host and Connection: close, no body. */
  static Response request(int port, String method, String rawTarget) throws IOException {
    return exchange(
        port,
        method
            + " "
            + rawTarget
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + (method.equals("PUT") ? "Content-Length: 1\r\n\r\nx" : "\r\n"));
  }

  static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(20_000);
    return s;
  }

  static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) { // ends at EOF or the socket timeout
      all.write(buf, 0, n);
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) {
      throw new IOException("not an HTTP response: " + text);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    byte[] body = text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
    return new Response(status, text.substring(0, end), body);
  }
}
