package mkv.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSinkChannel;

/**
 * GETs of values from volumes over pooled plain sockets, for GetObject: the body goes from the
 * volume's socket into one direct buffer and from there to the client's socket, two copies and 256
 * KiB system calls, where a general HTTP client would copy each 8 KiB segment twice more. Speaks
 * just what a volume (ours or nginx) answers a GET of a file with: a status line and headers with
 * Content-Length, then the bytes. Bounded like every call: connecting by the connect timeout, and a
 * transfer that makes no progress for the stall timeout is cut by a watchdog.
 */
final class VolumeFetcher implements AutoCloseable {
  private static final int BUFFER = 256 * 1024;
  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_IDLE_PER_VOLUME = 64;
  private static final ThreadLocal<ByteBuffer> BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));

  private final int connectMillis;
  private final long stallNanos;
  private final Map<String, ConcurrentLinkedDeque<SocketChannel>> idle = new ConcurrentHashMap<>();
  private final Set<Fetch> active = ConcurrentHashMap.newKeySet();

  VolumeFetcher(Duration connect, Duration stall, ScheduledExecutorService timer) {
    this.connectMillis = (int) connect.toMillis();
    this.stallNanos = stall.toNanos();
    timer.scheduleWithFixedDelay(this::cutStalled, 1, 1, TimeUnit.SECONDS);
  }

  /** A response whose head has been read; its body is still on the socket. */
  final class Fetch implements AutoCloseable {
    final int status;
    final long length;
    private final String volume;
    private final SocketChannel channel;
    private final ByteBuffer early; // body bytes that came with the head
    private final boolean keepAlive;
    private long left;
    private volatile long progress = System.nanoTime();

    private Fetch(
        String volume,
        SocketChannel channel,
        int status,
        long length,
        ByteBuffer early,
        boolean keepAlive) {
      this.volume = volume;
      this.channel = channel;
      this.status = status;
      this.length = length;
      this.early = early;
      this.keepAlive = keepAlive;
      this.left = length;
    }

    /** Moves the whole body to {@code out}, blocking; an exception leaves the response unusable. */
    void transferTo(StreamSinkChannel out) throws IOException {
      active.add(this);
      try {
        if (early.hasRemaining()) {
          left -= early.remaining();
          Channels.writeBlocking(out, early);
        }
        ByteBuffer buf = BUFFERS.get();
        while (left > 0) {
          buf.clear().limit((int) Math.min(buf.capacity(), left));
          int n = channel.read(buf);
          if (n < 0) {
            throw new IOException("volume " + volume + ": the body ended " + left + " bytes short");
          }
          progress = System.nanoTime();
          left -= n;
          buf.flip();
          Channels.writeBlocking(out, buf);
          progress = System.nanoTime();
        }
      } finally {
        active.remove(this);
      }
    }

    @Override
    public void close() {
      if (left == 0 && keepAlive && channel.isOpen()) {
        var pool = idle.computeIfAbsent(volume, v -> new ConcurrentLinkedDeque<>());
        if (pool.size() < MAX_IDLE_PER_VOLUME) {
          pool.push(channel);
          return;
        }
      }
      closeQuietly(channel);
    }
  }

  /**
   * Sends {@code GET url} (with {@code range} when not null) and reads the answer's head. A pooled
   * connection the volume closed meanwhile is replaced once, before any byte of an answer.
   */
  Fetch open(String url, String range) throws IOException {
    URI u = URI.create(url);
    String volume = u.getHost() + ":" + u.getPort();
    byte[] request =
        ("GET "
                + u.getRawPath()
                + " HTTP/1.1\r\nHost: "
                + volume
                + "\r\n"
                + (range == null ? "" : "Range: " + range + "\r\n")
                + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    var pool = idle.computeIfAbsent(volume, v -> new ConcurrentLinkedDeque<>());
    for (SocketChannel pooled; (pooled = pool.poll()) != null; ) {
      try {
        return exchange(volume, pooled, request);
      } catch (StaleConnection stale) {
        closeQuietly(pooled); // closed by the volume while idle: try the next, then a new one
      }
    }
    SocketChannel fresh = SocketChannel.open();
    try {
      fresh.socket().setTcpNoDelay(true);
      fresh.socket().connect(new InetSocketAddress(u.getHost(), u.getPort()), connectMillis);
      return exchange(volume, fresh, request);
    } catch (StaleConnection e) {
      closeQuietly(fresh);
      throw new IOException("volume " + volume + " closed the connection without answering");
    } catch (IOException | RuntimeException e) {
      closeQuietly(fresh);
      throw e;
    }
  }

  /** A pooled connection that turned out closed before any byte of the answer. */
  private static final class StaleConnection extends IOException {
    StaleConnection() {
      super("stale connection", null);
    }
  }

  private Fetch exchange(String volume, SocketChannel channel, byte[] request) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
    Fetch watch = new Fetch(volume, channel, 0, 0, head, false);
    active.add(watch);
    try {
      ByteBuffer out = ByteBuffer.wrap(request);
      try {
        while (out.hasRemaining()) {
          channel.write(out);
        }
      } catch (IOException e) {
        throw new StaleConnection();
      }
      int end;
      while ((end = headEnd(head)) < 0) {
        if (!head.hasRemaining()) {
          throw new IOException("volume " + volume + ": answer head over " + MAX_HEAD + " bytes");
        }
        int n;
        try {
          n = channel.read(head);
        } catch (IOException e) {
          if (head.position() == 0) {
            throw new StaleConnection();
          }
          throw e;
        }
        if (n < 0) {
          if (head.position() == 0) {
            throw new StaleConnection();
          }
          throw new IOException("volume " + volume + " closed the connection mid-answer");
        }
        watch.progress = System.nanoTime();
      }
      String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
      String[] lines = text.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        throw new IOException("volume " + volume + ": not an HTTP answer: " + lines[0]);
      }
      int status = Integer.parseInt(statusLine[1]);
      long length = -1;
      boolean keepAlive = statusLine[0].equals("HTTP/1.1");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = lines[i].substring(colon + 1).strip();
        if (name.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (name.equals("connection")) {
          keepAlive = !value.equalsIgnoreCase("close");
        } else if (name.equals("transfer-encoding") && !value.equalsIgnoreCase("identity")) {
          throw new IOException("volume " + volume + ": a chunked answer to a GET of a file");
        }
      }
      if (length < 0) {
        throw new IOException("volume " + volume + ": no Content-Length in its answer");
      }
      ByteBuffer early = ByteBuffer.allocate(head.position() - end - 4);
      early.put(head.array(), end + 4, early.capacity()).flip();
      if (early.remaining() > length) {
        throw new IOException("volume " + volume + ": more bytes than its Content-Length");
      }
      return new Fetch(volume, channel, status, length, early, keepAlive);
    } finally {
      active.remove(watch);
    }
  }

  /** The index of the {@code \r\n\r\n} ending the head, or -1. */
  private static int headEnd(ByteBuffer head) {
    byte[] a = head.array();
    for (int i = 3; i < head.position(); i++) {
      if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
        return i - 3;
      }
    }
    return -1;
  }

  /** The watchdog: closes the socket of a transfer that has not moved for the stall timeout. */
  private void cutStalled() {
    long now = System.nanoTime();
    for (Fetch f : active) {
      if (now - f.progress > stallNanos) {
        closeQuietly(f.channel);
      }
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }

  @Override
  public void close() {
    idle.values().forEach(pool -> pool.forEach(VolumeFetcher::closeQuietly));
    idle.clear();
  }
}
