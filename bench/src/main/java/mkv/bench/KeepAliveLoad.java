package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A lean HTTP/1.1 load loop for small, fast requests: many keep-alive connections driven by a few
 * NIO selector threads, requests pre-built as bytes, one request in flight per connection (no
 * pipelining, as a real client). A response is parsed just enough to check its status and skip its
 * {@code Content-Length} body; a redirect is never followed.
 *
 * <p>This exists because a general client (okhttp) spends more CPU per request than the server it
 * measures: on two shared cores it, not the server, would be the bottleneck at 100k req/s. For the
 * same reason it scans heads in place rather than with {@code mkv.client.ResponseParser}, which
 * makes strings of every field; anything it does not expect is an error, never a guess.
 */
final class KeepAliveLoad {
  /** Give in-flight requests this long past the deadline before counting them as errors. */
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final byte[] CONTENT_LENGTH =
      "content-length:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION_CLOSE =
      "connection: close".getBytes(StandardCharsets.US_ASCII);

  /**
   * What to send and what to expect.
   *
   * @param requests complete requests (head, no body), sent in rotation
   * @param expectedStatus any other status is an error
   * @param bufferBytes read buffer per connection; large for large bodies
   */
  record Spec(
      InetSocketAddress target,
      byte[][] requests,
      int expectedStatus,
      int connections,
      int threads,
      int bufferBytes) {}

  private KeepAliveLoad() {}

  /** Builds {@code GET path HTTP/1.1} with a Host header. */
  static byte[] get(InetSocketAddress target, String path) {
    return ("GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + target.getHostString()
            + ":"
            + target.getPort()
            + "\r\nUser-Agent: mkv-bench\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Runs until {@code bound} stops it and every request in flight has its answer. */
  static Result run(String workload, String name, Spec spec, Bound bound, LiveLine progress)
      throws InterruptedException {
    int threads = Math.max(1, Math.min(spec.threads(), spec.connections()));
    List<Loop> loops = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int conns = spec.connections() / threads + (t < spec.connections() % threads ? 1 : 0);
      loops.add(new Loop(spec, conns, t, bound, progress));
    }
    long start = System.nanoTime();
    List<Thread> running = new ArrayList<>();
    for (Loop loop : loops) {
      Thread th = new Thread(loop, "load-" + running.size());
      th.start();
      running.add(th);
    }
    for (Thread th : running) {
      th.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram latency = Result.newHistogram();
    long ops = 0;
    long errors = 0;
    long bytes = 0;
    long reconnects = 0;
    String firstError = null;
    for (Loop loop : loops) {
      latency.add(loop.latency);
      ops += loop.ops;
      errors += loop.errors;
      bytes += loop.bytes;
      reconnects += loop.reconnects;
      if (firstError == null) {
        firstError = loop.firstError;
      }
    }
    var extra = new LinkedHashMap<String, Object>();
    extra.put("connections", spec.connections());
    extra.put("client_threads", threads);
    extra.put("reconnects", reconnects);
    return new Result(workload, name, ops, errors, bytes, seconds, latency, firstError, extra);
  }

  /** One selector thread and its connections. */
  private static final class Loop implements Runnable {
    private final Spec spec;
    private final InetSocketAddress resolved;
    private final int connections;
    private final Bound bound;
    private final LiveLine progress;
    private final Histogram latency = Result.newHistogram();
    // direct, so that a write does not first copy the request into a temporary direct buffer
    private final ByteBuffer[] requests;
    private int next;
    long ops;
    long errors;
    long bytes;
    long reconnects;
    String firstError;
    private int open;

    Loop(Spec spec, int connections, int index, Bound bound, LiveLine progress) {
      this.spec = spec;
      this.resolved = new InetSocketAddress(spec.target().getHostString(), spec.target().getPort());
      this.connections = connections;
      this.bound = bound;
      this.progress = progress;
      this.next = index * 7919; // threads start at different keys
      this.requests = new ByteBuffer[spec.requests().length];
      for (int i = 0; i < requests.length; i++) {
        requests[i] =
            ByteBuffer.allocateDirect(spec.requests()[i].length).put(spec.requests()[i]).flip();
      }
    }

    @Override
    public void run() {
      try (Selector selector = Selector.open()) {
        for (int i = 0; i < connections; i++) {
          connect(selector, new Conn(spec.bufferBytes()));
        }
        long hardStop = Long.MAX_VALUE;
        while (open > 0) {
          // the consumer form of select: no selected-key set to fill and empty on every event
          selector.select(key -> ready(selector, key), 100);
          if (bound.expired()) {
            if (hardStop == Long.MAX_VALUE) {
              hardStop = System.nanoTime() + GRACE_NANOS;
            } else if (System.nanoTime() > hardStop) {
              for (SelectionKey key : selector.keys()) {
                fail(
                    (Conn) key.attachment(),
                    "no answer " + GRACE_NANOS / 1_000_000_000 + " s after the deadline");
                close(key);
              }
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        fail(null, "load loop: " + e); // counted, so the run reports it and exits non-zero
      }
    }

    private void ready(Selector selector, SelectionKey key) {
      Conn c = (Conn) key.attachment();
      try {
        if (key.isConnectable()) {
          c.channel.finishConnect();
          c.failures = 0;
          send(key, c);
        } else if (key.isWritable()) {
          write(key, c);
        } else if (key.isReadable()) {
          read(key, c);
        }
      } catch (IOException | RuntimeException e) {
        fail(c, "connection " + spec.target() + ": " + e);
        reconnect(selector, key, c);
      }
    }

    private void connect(Selector selector, Conn c) {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.channel = ch;
        c.state = Conn.HEAD;
        c.in.clear();
        open++;
        if (ch.connect(resolved)) {
          send(ch.register(selector, 0, c), c);
        } else {
          ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
      } catch (IOException | RuntimeException e) {
        open--;
        fail(c, "connect " + spec.target() + ": " + e);
      }
    }

    /** Starts the next request, or closes the connection once the bound is reached. */
    private void send(SelectionKey key, Conn c) throws IOException {
      if (!bound.tryAcquire()) {
        close(key);
        return;
      }
      c.out = requests[next++ % requests.length].duplicate();
      if (next < 0) {
        next = 0;
      }
      c.sentAt = System.nanoTime();
      c.state = Conn.HEAD;
      c.scanned = 0;
      write(key, c);
    }

    private void write(SelectionKey key, Conn c) throws IOException {
      c.channel.write(c.out);
      key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void read(SelectionKey key, Conn c) throws IOException {
      ByteBuffer in = c.in;
      int n = c.channel.read(in);
      if (n < 0) {
        throw new IOException("closed by the server in the middle of a response");
      }
      if (c.state == Conn.HEAD) {
        int end = headEnd(in, c.scanned);
        if (end < 0) {
          if (!in.hasRemaining()) {
            throw new IOException("response head larger than " + in.capacity() + " bytes");
          }
          c.scanned = Math.max(0, in.position() - 3);
          return;
        }
        parseHead(c, in, end);
        c.remaining = c.length - (in.position() - end);
        in.clear();
        c.state = Conn.BODY;
      } else {
        c.remaining -= n;
        in.clear();
      }
      if (c.remaining > 0) {
        return;
      }
      if (c.remaining < 0) {
        throw new IOException(
            "more bytes than Content-Length, or a pipelined answer nobody asked for");
      }
      long took = System.nanoTime() - c.sentAt;
      latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
      if (c.status == spec.expectedStatus()) {
        ops++;
        bytes += c.length;
        progress.ops.increment();
      } else {
        fail(c, "status " + c.status + ", expected " + spec.expectedStatus());
      }
      if (c.close) {
        reconnect(key.selector(), key, c);
      } else {
        send(key, c);
      }
    }

    private static int headEnd(ByteBuffer in, int from) {
      int limit = in.position();
      for (int i = from; i + 3 < limit; i++) {
        if (in.get(i) == '\r'
            && in.get(i + 1) == '\n'
            && in.get(i + 2) == '\r'
            && in.get(i + 3) == '\n') {
          return i + 4;
        }
      }
      return -1;
    }

    private static void parseHead(Conn c, ByteBuffer in, int end) throws IOException {
      // "HTTP/1.1 302 ..." : the status is always bytes 9..11
      if (end < 12 || in.get(0) != 'H' || in.get(8) != ' ') {
        throw new IOException("not an HTTP/1.x response");
      }
      c.status = (in.get(9) - '0') * 100 + (in.get(10) - '0') * 10 + (in.get(11) - '0');
      c.length = -1;
      c.close = false;
      int line = lineAfter(in, 0, end);
      while (line < end - 2) {
        if (startsWithIgnoreCase(in, line, CONTENT_LENGTH)) {
          long v = 0;
          for (int i = line + CONTENT_LENGTH.length; in.get(i) != '\r'; i++) {
            byte b = in.get(i);
            if (b >= '0' && b <= '9') {
              v = v * 10 + (b - '0');
            }
          }
          c.length = v;
        } else if (startsWithIgnoreCase(in, line, TRANSFER_ENCODING)) {
          throw new IOException("chunked responses are not supported by the fast client");
        } else if (startsWithIgnoreCase(in, line, CONNECTION_CLOSE)) {
          c.close = true;
        }
        line = lineAfter(in, line, end);
      }
      if (c.length < 0) {
        throw new IOException("response without Content-Length");
      }
    }

    private static int lineAfter(ByteBuffer in, int from, int end) {
      for (int i = from; i + 1 < end; i++) {
        if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
          return i + 2;
        }
      }
      return end;
    }

    private static boolean startsWithIgnoreCase(ByteBuffer in, int at, byte[] lower) {
      if (at + lower.length > in.position()) {
        return false;
      }
      for (int i = 0; i < lower.length; i++) {
        byte b = in.get(at + i);
        if (b >= 'A' && b <= 'Z') {
          b += 32;
        }
        if (b != lower[i]) {
          return false;
        }
      }
      return true;
    }

    private void fail(Conn c, String why) {
      errors++;
      progress.errors.increment();
      if (firstError == null) {
        firstError = why;
      }
      if (c != null) {
        c.failures++;
      }
    }

    private void reconnect(Selector selector, SelectionKey key, Conn c) {
      close(key);
      // a server that refuses every connection must not spin this loop forever
      if (c.failures < 100 && !bound.expired()) {
        reconnects++;
        connect(selector, c);
      }
    }

    private void close(SelectionKey key) {
      if (!key.isValid() && !key.channel().isOpen()) {
        return;
      }
      key.cancel();
      try {
        key.channel().close();
      } catch (IOException ignored) {
        // closing a socket we are done with; nothing to report
      }
      open--;
    }
  }

  /** One keep-alive connection and the response it is reading. */
  private static final class Conn {
    static final int HEAD = 0;
    static final int BODY = 1;
    final ByteBuffer in;
    SocketChannel channel;
    ByteBuffer out;
    int state;
    int scanned;
    int status;
    long length;
    long remaining;
    boolean close;
    long sentAt;
    int failures;

    Conn(int bufferBytes) {
      in = ByteBuffer.allocateDirect(bufferBytes);
    }
  }
}
