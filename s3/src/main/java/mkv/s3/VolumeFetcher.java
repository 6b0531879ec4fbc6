package mkv.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mkv.client.RequestHead;
import mkv.client.ResponseHead;
import mkv.client.ResponseParser;
import mkv.client.TimeoutException;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSinkChannel;

/**
 * GETs of values from volumes over pooled plain sockets, for GetObject: the body goes from the
 * volume's socket into one direct buffer and from there to the client's socket, two copies and 256
 * KiB system calls, where a general HTTP client would copy each 8 KiB segment twice more. The head
 * is read by {@link ResponseParser}; the body must be framed by Content-Length, as a volume (ours
 * or nginx) answers a GET of a file. Bounded like every call: connecting by the connect timeout,
 * and a transfer that makes no progress for the stall timeout is cut by a watchdog; either is a
 * {@link TimeoutException}. Every failure is an IOException naming the volume, so the caller fails
 * over.
 */
final class VolumeFetcher implements AutoCloseable {
  private static final int BUFFER = 256 * 1024;
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
    private volatile boolean cut; // by the watchdog

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
          int n;
          try {
            n = channel.read(buf);
          } catch (IOException e) {
            if (cut) {
              throw new TimeoutException(
                  volume, "reading the body (no progress in " + stallMillis() + " ms)", e);
            }
            throw e;
          }
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
   *
   * @throws IOException naming the volume: it could not be reached, timed out ({@link
   *     TimeoutException}), or answered something that is not a head this can relay
   */
  Fetch open(String url, String range) throws IOException {
    URI u = URI.create(url);
    String volume = u.getHost() + ":" + u.getPort();
    byte[] request =
        RequestHead.encode(
            "GET", u.getRawPath(), volume, -1, range == null ? Map.of() : Map.of("Range", range));
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
      try {
        fresh.socket().connect(new InetSocketAddress(u.getHost(), u.getPort()), connectMillis);
      } catch (SocketTimeoutException e) {
        throw new TimeoutException(volume, "connecting (" + connectMillis + " ms)", e);
      }
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
    ByteBuffer in = ByteBuffer.allocate(ResponseParser.MAX_HEAD);
    ResponseParser parser = new ResponseParser(volume);
    Fetch watch = new Fetch(volume, channel, 0, 0, in, false);
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
      boolean gotBytes = false;
      ResponseHead head = null;
      while (head == null) {
        int n;
        try {
          n = channel.read(in);
        } catch (IOException e) {
          if (watch.cut) {
            throw new TimeoutException(
                volume, "waiting for the answer to GET (" + stallMillis() + " ms)", e);
          }
          if (!gotBytes) {
            throw new StaleConnection();
          }
          throw e;
        }
        if (n < 0) {
          if (!gotBytes) {
            throw new StaleConnection();
          }
          parser.endOfStream(); // throws, naming the volume: the head is not complete
        }
        gotBytes = true;
        watch.progress = System.nanoTime();
        in.flip();
        head = parser.head(in, false);
        in.compact();
      }
      if (head.framing() != ResponseHead.Framing.LENGTH) {
        throw new IOException(
            "volume " + volume + ": an answer without Content-Length to a GET of a file");
      }
      ByteBuffer early = in.flip(); // body bytes that came with the head
      if (early.remaining() > head.contentLength()) {
        throw new IOException("volume " + volume + ": more bytes than its Content-Length");
      }
      return new Fetch(
          volume, channel, head.status(), head.contentLength(), early, head.keepAlive());
    } finally {
      active.remove(watch);
    }
  }

  /**
   * The watchdog: closes the socket of a transfer that has not moved for the stall timeout, marked
   * so that the read it ends is known for a time-out.
   */
  private void cutStalled() {
    long now = System.nanoTime();
    for (Fetch f : active) {
      if (now - f.progress > stallNanos) {
        f.cut = true;
        closeQuietly(f.channel);
      }
    }
  }

  private long stallMillis() {
    return TimeUnit.NANOSECONDS.toMillis(stallNanos);
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
