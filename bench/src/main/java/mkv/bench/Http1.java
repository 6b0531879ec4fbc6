package mkv.bench;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mkv.client.RequestHead;
import mkv.client.ResponseHead;
import mkv.client.ResponseParser;

/**
 * One blocking HTTP/1.1 keep-alive connection with no redirects, retries or pools: the smallest
 * client that can PUT, GET and DELETE against the master and volumes, so that the load generator
 * spends its CPU on requests rather than on a general client's machinery. Not thread-safe.
 */
final class Http1 implements Closeable {
  private static final int TIMEOUT_MS = 120_000;

  /** A response; {@code body} is empty when it was streamed to a {@link Sink}. */
  record Response(ResponseHead head, byte[] body) {
    int status() {
      return head.status();
    }

    String header(String name) {
      return head.header(name);
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
  private final ByteBuffer buf; // the bytes read and not yet parsed, position to limit
  private final ResponseParser parser;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /**
   * @param bufferBytes at least {@link ResponseParser#MAX_HEAD}
   */
  Http1(InetSocketAddress address, int bufferBytes) {
    this.address = address;
    this.buf = ByteBuffer.allocate(Math.max(bufferBytes, ResponseParser.MAX_HEAD)).flip();
    this.parser = new ResponseParser(address.getHostString() + ":" + address.getPort());
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
      ResponseHead head = readResponse(method.equals("HEAD"), sink);
      if (!head.keepAlive()) {
        close();
      }
      return new Response(head, collected == null ? new byte[0] : collected.toByteArray());
    } catch (IOException | RuntimeException e) {
      close(); // the connection's state is unknown: never reuse it
      throw e;
    }
  }

  private byte[] head(String method, String target, long length) {
    return RequestHead.encode(
        method,
        target,
        address.getHostString() + ":" + address.getPort(),
        length,
        Map.of("User-Agent", "mkv-bench"));
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
    buf.clear().flip();
  }

  /** Reads one response, its body to {@code sink}, with the shared {@link ResponseParser}. */
  private ResponseHead readResponse(boolean headRequest, Sink sink) throws IOException {
    parser.reset();
    ResponseHead head;
    while ((head = parser.head(buf, headRequest)) == null) {
      if (!fill()) {
        parser.endOfStream(); // throws: the head is not complete
      }
    }
    ResponseParser.BodySink pieces =
        piece ->
            sink.accept(piece.array(), piece.arrayOffset() + piece.position(), piece.remaining());
    while (!parser.body(buf, pieces)) {
      if (!fill()) {
        parser.endOfStream(); // ends a body framed by the close; else throws
        break;
      }
    }
    return head;
  }

  /** Reads more bytes after the unparsed ones; false at the end of the stream. */
  private boolean fill() throws IOException {
    buf.compact();
    try {
      int n = in.read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
      if (n < 0) {
        return false;
      }
      buf.position(buf.position() + n);
      return true;
    } finally {
      buf.flip();
    }
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
