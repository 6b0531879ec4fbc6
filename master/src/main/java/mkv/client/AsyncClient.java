package mkv.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mkv.layout.Placement;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Small HTTP requests that block no thread: to volume servers (ours or stock nginx), a PUT of a
 * value held whole or a DELETE; to a master, the S3 gateway's lookups and small writes ({@link
 * #send}). HTTP/1.1 over keep-alive connections owned by the IO thread that asks, which also runs
 * the callback, so a request and the requests it makes share one thread and no hand-off. Bounded
 * like {@link VolumeClient}: connecting by the connect time-out, the whole call by the stall
 * time-out (the bodies are small, so no progress for that long is the same as no answer).
 */
public final class AsyncClient {
  /** The outcome of one call, run on the IO thread that made it: null on success. */
  @FunctionalInterface
  public interface Callback {
    void done(VolumeException failure);
  }

  /**
   * An answer to {@link #send}, whatever its status.
   *
   * @param headers by lower-case name (the last of a repeated one)
   * @param text the first line of the body, at most 200 characters
   */
  public record Reply(int status, Map<String, String> headers, String text) {
    public String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }
  }

  /**
   * The outcome of {@link #send}, run on the IO thread that made it: a reply, or the failure to get
   * one (naming the server).
   */
  @FunctionalInterface
  public interface ReplyCallback {
    void done(Reply reply, IOException failure);
  }

  private static final OptionMap SOCKET = OptionMap.create(Options.TCP_NODELAY, true);
  private static final int IN_BUFFER = 8192;
  private static final int MAX_IDLE_PER_SERVER = 256;
  private static final int DETAIL_CHARS = 200;
  private static final int[] PUT_OK = {200, 201, 204};
  private static final int[] DELETE_OK = {200, 202, 204, 404};

  private final long connectMillis;
  private final long stallMillis;
  // Idle connections per server, per IO thread: only ever touched by their own thread.
  private final ThreadLocal<Map<String, ArrayDeque<Connection>>> idle =
      ThreadLocal.withInitial(HashMap::new);

  public AsyncClient(Duration connectTimeout, Duration stallTimeout) {
    this.connectMillis = connectTimeout.toMillis();
    this.stallMillis = stallTimeout.toMillis();
  }

  /** Stores {@code value} at {@code path} on {@code replica} ({@code host:port[/svXX]}). */
  public void put(XnioIoThread thread, String replica, String path, byte[] value, Callback done) {
    start(thread, Call.toVolume("PUT", replica, path, value, PUT_OK, done));
  }

  /** Deletes {@code path} from {@code replica}; a missing file counts as deleted. */
  public void delete(XnioIoThread thread, String replica, String path, Callback done) {
    start(thread, Call.toVolume("DELETE", replica, path, null, DELETE_OK, done));
  }

  /**
   * Sends {@code method target} to {@code server} ({@code host:port}) with {@code headers} and
   * {@code body} (null for none); {@code done} gets the reply whatever its status, or the failure
   * to get one.
   */
  public void send(
      XnioIoThread thread,
      String server,
      String method,
      String target,
      Map<String, String> headers,
      byte[] body,
      ReplyCallback done) {
    start(thread, new Call(method, server, target, headers, body, null, done));
  }

  /**
   * {@link #put} to every replica at once; {@code done} gets the failures, in replica order, once
   * all answered.
   */
  public void putAll(
      XnioIoThread thread,
      List<String> replicas,
      String path,
      byte[] value,
      Consumer<List<VolumeException>> done) {
    onEach(replicas, done, (replica, cb) -> put(thread, replica, path, value, cb));
  }

  /**
   * {@link #delete} from every replica at once; {@code done} gets the failures once all answered.
   */
  public void deleteAll(
      XnioIoThread thread,
      List<String> replicas,
      String path,
      Consumer<List<VolumeException>> done) {
    onEach(replicas, done, (replica, cb) -> delete(thread, replica, path, cb));
  }

  private interface Request {
    void send(String replica, Callback cb);
  }

  private static void onEach(
      List<String> replicas, Consumer<List<VolumeException>> done, Request request) {
    if (replicas.isEmpty()) {
      done.accept(List.of());
      return;
    }
    VolumeException[] failures = new VolumeException[replicas.size()];
    int[] left = {replicas.size()};
    for (int i = 0; i < replicas.size(); i++) {
      int slot = i;
      // every callback runs on the one IO thread: the counter needs no lock
      request.send(
          replicas.get(i),
          failure -> {
            failures[slot] = failure;
            if (--left[0] == 0) {
              List<VolumeException> failed = new ArrayList<>(0);
              for (VolumeException f : failures) {
                if (f != null) {
                  failed.add(f);
                }
              }
              done.accept(failed);
            }
          });
    }
  }

  private void start(XnioIoThread thread, Call call) {
    if (Thread.currentThread() != thread) {
      thread.execute(() -> start(thread, call));
      return;
    }
    ArrayDeque<Connection> pool = idle.get().get(call.server);
    Connection c;
    while (pool != null && (c = pool.pollLast()) != null) {
      if (c.stream.isOpen()) {
        c.begin(call, true);
        return;
      }
    }
    connect(thread, call);
  }

  private void connect(XnioIoThread thread, Call call) {
    InetSocketAddress address;
    try {
      address = address(call.server);
    } catch (IllegalArgumentException e) {
      call.fail(call.method + " failed: bad address " + call.server, e);
      return;
    }
    IoFuture<StreamConnection> future = thread.openStreamConnection(address, null, SOCKET);
    XnioExecutor.Key timer =
        thread.executeAfter(future::cancel, connectMillis, TimeUnit.MILLISECONDS);
    future.addNotifier(
        (f, ignored) -> {
          timer.remove();
          switch (f.getStatus()) {
            case DONE -> {
              try {
                new Connection(thread, call.server, f.get()).begin(call, false);
              } catch (IOException e) {
                call.fail(call.method + " failed: " + e.getMessage(), e);
              }
            }
            case FAILED ->
                call.fail(
                    call.method + " failed: connect: " + f.getException().getMessage(),
                    f.getException());
            default ->
                call.fail(
                    "timed out connecting for " + call.method,
                    new InterruptedIOException("connect timed out after " + connectMillis + " ms"));
          }
        },
        null);
  }

  private static InetSocketAddress address(String server) {
    int colon = server.lastIndexOf(':');
    String host = server.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(server.substring(colon + 1)));
  }

  /**
   * One request to one server, retried once on a new connection if a reused one turns out closed.
   */
  private static final class Call {
    final String method;
    final String replica;
    final String server;
    final String target;
    final Map<String, String> headers;
    final byte[] body;
    final int[] ok; // the statuses that are a success; null: every reply is (send)
    final ReplyCallback done;
    boolean finished;

    Call(
        String method,
        String replica,
        String target,
        Map<String, String> headers,
        byte[] body,
        int[] ok,
        ReplyCallback done) {
      this.method = method;
      this.replica = replica;
      this.server = Placement.server(replica);
      this.target = target;
      this.headers = headers;
      this.body = body;
      this.ok = ok;
      this.done = done;
    }

    /** A call whose reply is a success when its status is one of {@code ok}. */
    static Call toVolume(
        String method, String replica, String path, byte[] body, int[] ok, Callback done) {
      return new Call(
          method,
          replica,
          Placement.subvolume(replica) + path,
          Map.of(),
          body,
          ok,
          (reply, failure) -> {
            if (failure != null) {
              done.done((VolumeException) failure); // made by fail()
            } else if (!isOk(ok, reply.status())) {
              String d = reply.text();
              done.done(
                  new VolumeException(
                      replica,
                      reply.status(),
                      reply.status() + " on " + method + (d.isEmpty() ? "" : " (" + d + ")"),
                      null));
            } else {
              done.done(null);
            }
          });
    }

    /**
     * Ends the call without a reply: a VolumeException for a volume, else one naming the server.
     */
    void fail(String what, Throwable cause) {
      finish(
          null,
          ok != null
              ? new VolumeException(replica, 0, what, cause)
              : new IOException(server + ": " + what, cause));
    }

    ByteBuffer[] request() {
      StringBuilder head =
          new StringBuilder(96 + target.length())
              .append(method)
              .append(' ')
              .append(target)
              .append(" HTTP/1.1\r\nHost: ")
              .append(server)
              .append("\r\n");
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("\r\n");
      ByteBuffer h = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      return body == null ? new ByteBuffer[] {h} : new ByteBuffer[] {h, ByteBuffer.wrap(body)};
    }

    void finish(Reply reply, IOException failure) {
      if (!finished) {
        finished = true;
        done.done(reply, failure);
      }
    }
  }

  /**
   * One keep-alive connection to a volume server and the call it is running: writes the request,
   * parses the response (status line, headers, a body by Content-Length, chunked, or up to the
   * close), then goes back to its pool, where a close by the server, or any byte it sends, closes
   * it.
   */
  private final class Connection {
    final XnioIoThread thread;
    final String server;
    final StreamConnection stream;
    final ConduitStreamSourceChannel source;
    final ConduitStreamSinkChannel sink;
    final ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER);
    Call call;
    boolean reused;
    XnioExecutor.Key timer;
    ByteBuffer[] out;
    // the response being read
    boolean gotBytes;
    int status;
    boolean headersDone;
    boolean keepAlive;
    boolean chunked;
    boolean untilClose;
    long bodyLeft; // bytes of the body (or of the current chunk) still to come; -1 before a chunk
    // size line
    boolean trailers;
    final StringBuilder detail = new StringBuilder();
    Map<String, String> replyHeaders = Map.of();

    Connection(XnioIoThread thread, String server, StreamConnection stream) {
      this.thread = thread;
      this.server = server;
      this.stream = stream;
      this.source = stream.getSourceChannel();
      this.sink = stream.getSinkChannel();
    }

    void begin(Call c, boolean wasIdle) {
      call = c;
      reused = wasIdle;
      gotBytes = false;
      status = 0;
      headersDone = false;
      chunked = false;
      untilClose = false;
      trailers = false;
      bodyLeft = 0;
      detail.setLength(0);
      replyHeaders = Map.of();
      in.clear();
      out = c.request();
      timer = thread.executeAfter(this::stalled, stallMillis, TimeUnit.MILLISECONDS);
      source.getReadSetter().set(ch -> onReadable());
      sink.getWriteSetter().set(ch -> onWritable());
      onWritable();
    }

    private void onWritable() {
      try {
        long left = remaining(out);
        while (left > 0) {
          long n = sink.write(out, 0, out.length);
          if (n == 0) {
            sink.resumeWrites();
            return;
          }
          left -= n;
        }
        if (!sink.flush()) {
          sink.resumeWrites();
          return;
        }
        sink.suspendWrites();
        source.resumeReads();
      } catch (IOException | RuntimeException e) {
        broken(e);
      }
    }

    private void onReadable() {
      try {
        while (true) {
          int n = source.read(in);
          if (n == 0) {
            return;
          }
          if (n < 0) {
            if (untilClose && headersDone) {
              complete(false);
            } else {
              broken(new IOException("the volume closed the connection before the response ended"));
            }
            return;
          }
          gotBytes = true;
          in.flip();
          boolean done = parse();
          in.compact();
          if (done) {
            complete(keepAlive);
            return;
          }
          if (!in.hasRemaining()) {
            throw new IOException("response headers larger than " + IN_BUFFER + " bytes");
          }
        }
      } catch (IOException | RuntimeException e) {
        broken(e);
      }
    }

    /** Consumes what the buffer holds; true once the response is complete. */
    private boolean parse() throws IOException {
      while (!headersDone) {
        int end = headerEnd();
        if (end < 0) {
          return false;
        }
        byte[] head = new byte[end - in.position()];
        in.get(head);
        in.position(in.position() + 4);
        headers(new String(head, StandardCharsets.ISO_8859_1));
      }
      if (untilClose) {
        keepBody(in.remaining());
        return false;
      }
      if (!chunked) {
        int n = (int) Math.min(bodyLeft, in.remaining());
        keepBody(n);
        bodyLeft -= n;
        return bodyLeft == 0;
      }
      return parseChunks();
    }

    private int headerEnd() {
      for (int i = in.position(); i + 3 < in.limit(); i++) {
        if (in.get(i) == '\r'
            && in.get(i + 1) == '\n'
            && in.get(i + 2) == '\r'
            && in.get(i + 3) == '\n') {
          return i;
        }
      }
      return -1;
    }

    private void headers(String head) throws IOException {
      String[] lines = head.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x response: " + truncate(lines[0]));
      }
      try {
        status = Integer.parseInt(statusLine[1]);
      } catch (NumberFormatException e) {
        throw new IOException("bad status line: " + truncate(lines[0]));
      }
      if (status >= 100 && status < 200) {
        return; // an interim response (100 Continue): the real one follows
      }
      keepAlive = statusLine[0].equals("HTTP/1.1");
      long length = -1;
      replyHeaders = call.ok == null ? new HashMap<>() : Map.of();
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        int colon = line.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (call.ok == null) {
          replyHeaders.put(name.toLowerCase(Locale.ROOT), value);
        }
        if (name.equalsIgnoreCase("Content-Length")) {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + truncate(value));
          }
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          chunked = value.equalsIgnoreCase("chunked");
        } else if (name.equalsIgnoreCase("Connection")) {
          keepAlive =
              keepAlive ? !value.equalsIgnoreCase("close") : value.equalsIgnoreCase("keep-alive");
        }
      }
      headersDone = true;
      if (status == 204 || status == 304) {
        bodyLeft = 0;
        chunked = false;
      } else if (chunked) {
        bodyLeft = -1;
      } else if (length >= 0) {
        bodyLeft = length;
      } else {
        untilClose = true;
        keepAlive = false;
      }
    }

    /** Chunked body: size line, data, CRLF, ..., a zero size, trailers, an empty line. */
    private boolean parseChunks() throws IOException {
      while (true) {
        if (bodyLeft > 0) {
          int n = (int) Math.min(bodyLeft, in.remaining());
          keepBody(n);
          bodyLeft -= n;
          if (bodyLeft > 0) {
            return false;
          }
          bodyLeft = -2; // the CRLF after the data
        }
        String line = line();
        if (line == null) {
          return false;
        }
        if (bodyLeft == -2) {
          bodyLeft = -1;
          continue;
        }
        if (trailers) {
          if (line.isEmpty()) {
            return true;
          }
          continue;
        }
        int semicolon = line.indexOf(';');
        try {
          bodyLeft =
              Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size: " + truncate(line));
        }
        if (bodyLeft == 0) {
          trailers = true;
        }
      }
    }

    /** The next CRLF-terminated line of the buffer, or null until it is all there. */
    private String line() {
      for (int i = in.position(); i + 1 < in.limit(); i++) {
        if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
          byte[] b = new byte[i - in.position()];
          in.get(b);
          in.position(in.position() + 2);
          return new String(b, StandardCharsets.ISO_8859_1);
        }
      }
      return null;
    }

    /** Skips n body bytes, keeping the start of an error body for the message. */
    private void keepBody(int n) {
      boolean wanted = call.ok == null || !isOk(call.ok, status);
      for (int i = 0; i < n; i++) {
        byte b = in.get();
        if (wanted && detail.length() < DETAIL_CHARS && b != '\n' && b != '\r') {
          detail.append((char) (b & 0xff));
        } else if (b == '\n') {
          wanted = false;
        }
      }
    }

    private void complete(boolean reusable) {
      timer.remove();
      Call c = call;
      call = null;
      Reply reply = new Reply(status, replyHeaders, detail.toString().strip());
      if (reusable) {
        park();
      } else {
        IoUtils.safeClose(stream);
      }
      c.finish(reply, null);
    }

    /** Back to the pool; a byte or a close from the server while idle closes it. */
    private void park() {
      ArrayDeque<Connection> pool = idle.get().computeIfAbsent(server, s -> new ArrayDeque<>());
      if (pool.size() >= MAX_IDLE_PER_SERVER) {
        IoUtils.safeClose(stream);
        return;
      }
      source
          .getReadSetter()
          .set(
              ch -> {
                IoUtils.safeClose(stream);
                pool.remove(this);
              });
      source.resumeReads();
      pool.addLast(this);
    }

    private void stalled() {
      Call c = call;
      if (c == null) {
        return;
      }
      call = null;
      IoUtils.safeClose(stream);
      c.fail(
          "timed out on " + c.method,
          new InterruptedIOException("no answer in " + stallMillis + " ms"));
    }

    private void broken(Exception e) {
      Call c = call;
      if (c == null) {
        return;
      }
      call = null;
      timer.remove();
      IoUtils.safeClose(stream);
      if (reused && !gotBytes) {
        // the server closed this idle connection as we reused it: try once on a new one
        connect(thread, c);
        return;
      }
      c.fail(c.method + " failed: " + e.getMessage(), e);
    }
  }

  private static boolean isOk(int[] ok, int code) {
    for (int c : ok) {
      if (c == code) {
        return true;
      }
    }
    return false;
  }

  private static long remaining(ByteBuffer[] buffers) {
    long n = 0;
    for (ByteBuffer b : buffers) {
      n += b.remaining();
    }
    return n;
  }

  private static String truncate(String s) {
    return s.length() > DETAIL_CHARS ? s.substring(0, DETAIL_CHARS) : s;
  }
}
