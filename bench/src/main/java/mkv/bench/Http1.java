package mkv.bench;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One blocking HTTP/1.1 keep-alive connection with no redirects, retries or pools: the smallest
 * client that can PUT, GET and DELETE against the master and volumes, so that the load generator
 * spends its CPU on requests rather than on a general client's machinery. Not thread-safe.
 */
final class Http1 implements Closeable {
  private static final int TIMEOUT_MS = 120_000;

  /** A response; {@code body} is empty when it was streamed to a {@link Sink}. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Receives a response body piece by piece. */
  @FunctionalInterface
  interface Sink {
    void accept(byte[] buf, int off, int len) throws IOException;
  }

  /** Writes a request body of the announced length. */
  @FunctionalInterface
  interface Source {
    void writeTo(OutputStream out) throws IOException;
  }

  private final InetSocketAddress address;
  private final byte[] buf;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private int pos;
  private int limit;

  Http1(InetSocketAddress address, int bufferBytes) {
    this.address = address;
    this.buf = new byte[bufferBytes];
  }

  Http1(InetSocketAddress address) {
    this(address, 64 * 1024);
  }

  /** {@code host:port} of a URL such as a redirect's Location. */
  static InetSocketAddress addressOf(URI uri) {
    return InetSocketAddress.createUnresolved(
        uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
  }

  /** A request with a small body (or none), whose response body is read into memory. */
  Response exchange(String method, String target, byte[] body) throws IOException {
    ByteArrayOutputStream collected = new ByteArrayOutputStream();
    byte[] head = head(method, target, body == null ? -1 : body.length);
    byte[] request = head;
    if (body != null && body.length > 0 && body.length <= 64 * 1024) {
      request = new byte[head.length + body.length]; // one write, one packet
      System.arraycopy(head, 0, request, 0, head.length);
      System.arraycopy(body, 0, request, head.length, body.length);
      body = null;
    }
    byte[] first = request;
    byte[] rest = body;
    return call(
        o -> {
          o.write(first);
          if (rest != null) {
            o.write(rest);
          }
        },
        method,
        collected::write,
        collected);
  }

  /** A request whose body of {@code length} bytes is streamed from {@code source}. */
  Response stream(String method, String target, long length, Source source, Sink sink)
      throws IOException {
    byte[] head = head(method, target, length);
    return call(
        o -> {
          o.write(head);
          source.writeTo(o);
        },
        method,
        sink,
        null);
  }

  private Response call(Source request, String method, Sink sink, ByteArrayOutputStream collected)
      throws IOException {
    open();
    try {
      request.writeTo(out);
      out.flush();
      Response r = readResponse(method.equals("HEAD"), sink);
      if ("close".equalsIgnoreCase(r.header("connection"))) {
        close();
      }
      return collected == null ? r : new Response(r.status(), r.headers(), collected.toByteArray());
    } catch (IOException | RuntimeException e) {
      close(); // the connection's state is unknown: never reuse it
      throw e;
    }
  }

  private byte[] head(String method, String target, long length) {
    StringBuilder sb =
        new StringBuilder(128)
            .append(method)
            .append(' ')
            .append(target)
            .append(" HTTP/1.1\r\nHost: ")
            .append(address.getHostString())
            .append(':')
            .append(address.getPort())
            .append("\r\nUser-Agent: mkv-bench\r\n");
    if (length >= 0) {
      sb.append("Content-Length: ").append(length).append("\r\n");
    }
    return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  private void open() throws IOException {
    if (socket != null) {
      return;
    }
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout(TIMEOUT_MS);
      s.connect(new InetSocketAddress(address.getHostString(), address.getPort()), 10_000);
    } catch (IOException e) {
      s.close();
      throw new IOException(
          "connect " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage(),
          e);
    }
    socket = s;
    in = s.getInputStream();
    out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    pos = 0;
    limit = 0;
  }

  private Response readResponse(boolean head, Sink sink) throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.") || status.length() < 12) {
      throw new IOException("not an HTTP/1.x response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    Map<String, String> headers = new HashMap<>();
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
    }
    if (!head && code != 204 && code != 304 && code / 100 != 1) {
      String length = headers.get("content-length");
      if (length != null) {
        copy(Long.parseLong(length), sink);
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        for (long n; (n = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
          copy(n, sink);
          line();
        }
        while (!line().isEmpty()) {
          // trailers: none expected, skipped
        }
      } else {
        copy(Long.MAX_VALUE, sink); // until the server closes
        headers.put("connection", "close");
      }
    }
    return new Response(code, headers, new byte[0]);
  }

  private void copy(long n, Sink sink) throws IOException {
    while (n > 0) {
      if (pos == limit && !fill()) {
        if (n == Long.MAX_VALUE) {
          return;
        }
        throw new EOFException("connection closed with " + n + " body bytes to come");
      }
      int take = (int) Math.min(n, limit - pos);
      sink.accept(buf, pos, take);
      pos += take;
      n -= take;
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      if (pos == limit && !fill()) {
        throw new EOFException("connection closed before the end of the response head");
      }
      byte b = buf[pos++];
      if (b == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      if (sb.length() > 64 * 1024) {
        throw new IOException("response head line too long");
      }
      sb.append((char) (b & 0xff));
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n < 0) {
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // a socket we no longer use
      }
      socket = null;
    }
  }
}
