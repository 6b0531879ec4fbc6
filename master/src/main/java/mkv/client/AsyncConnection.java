package mkv.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * One keep-alive connection of an {@link AsyncClient} to one server, owned by one IO thread,
 * running one {@link AsyncCall} at a time: writes the request, reads the answer with {@link
 * ResponseParser}, then goes back to {@link IdleConnections}, where a close by the server, or any
 * byte it sends, closes it. The whole call is bounded by the stall time-out.
 */
final class AsyncConnection {
  private static final int DETAIL_CHARS = 200;

  private final AsyncClient client;
  private final XnioIoThread thread;
  private final String server;
  private final StreamConnection stream;
  private final ConduitStreamSourceChannel source;
  private final ConduitStreamSinkChannel sink;
  private final ByteBuffer in = ByteBuffer.allocateDirect(ResponseParser.MAX_HEAD);
  private final ResponseParser parser;
  private final StringBuilder text = new StringBuilder();
  private AsyncCall call;
  private boolean reused;
  private XnioExecutor.Key timer;
  private ByteBuffer[] out;
  // the answer being read
  private boolean gotBytes;
  private ResponseHead head;
  private boolean keepingText;

  AsyncConnection(AsyncClient client, XnioIoThread thread, String server, StreamConnection stream) {
    this.client = client;
    this.thread = thread;
    this.server = server;
    this.stream = stream;
    this.source = stream.getSourceChannel();
    this.sink = stream.getSinkChannel();
    this.parser = new ResponseParser(server);
  }

  String server() {
    return server;
  }

  boolean isOpen() {
    return stream.isOpen();
  }

  /** Runs {@code c} on this connection; {@code wasIdle} when it served a call before. */
  void run(AsyncCall c, boolean wasIdle) {
    call = c;
    reused = wasIdle;
    gotBytes = false;
    head = null;
    keepingText = true;
    text.setLength(0);
    parser.reset();
    in.clear();
    out = c.request();
    timer = thread.executeAfter(this::stalled, client.stallMillis, TimeUnit.MILLISECONDS);
    source.getReadSetter().set(ch -> onReadable());
    sink.getWriteSetter().set(ch -> onWritable());
    onWritable();
  }

  private void onWritable() {
    try {
      while (remaining(out) > 0) {
        if (sink.write(out, 0, out.length) == 0) {
          sink.resumeWrites();
          return;
        }
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
          parser.endOfStream(); // completes a body framed by the close, else says what is missing
          complete(false);
          return;
        }
        gotBytes = true;
        in.flip();
        if (head == null) {
          head = parser.head(in, call.method.equals("HEAD"));
        }
        boolean done = head != null && parser.body(in, this::keepText);
        in.compact();
        if (done) {
          complete(head.keepAlive() && in.position() == 0);
          return;
        }
        if (!in.hasRemaining()) {
          // never: the parser refuses a head or a chunk line as long as the buffer first
          throw new IOException(server + ": an answer line over " + in.capacity() + " bytes");
        }
      }
    } catch (IOException | RuntimeException e) {
      broken(e);
    }
  }

  /** Keeps the first line of the body, for the message of an error. */
  private void keepText(ByteBuffer piece) {
    while (keepingText && piece.hasRemaining()) {
      byte b = piece.get();
      if (b == '\n' || text.length() >= DETAIL_CHARS) {
        keepingText = false;
      } else if (b != '\r') {
        text.append((char) (b & 0xff));
      }
    }
  }

  private void complete(boolean reusable) {
    timer.remove();
    AsyncCall c = call;
    call = null;
    AsyncClient.Reply reply = new AsyncClient.Reply(head, text.toString().strip());
    if (reusable) {
      park();
    } else {
      IoUtils.safeClose(stream);
    }
    c.answered(reply);
  }

  /** Back to the pool; a byte or a close from the server while idle closes it. */
  private void park() {
    if (!client.idle.offer(this)) {
      IoUtils.safeClose(stream);
      return;
    }
    source
        .getReadSetter()
        .set(
            ch -> {
              IoUtils.safeClose(stream);
              client.idle.remove(this);
            });
    source.resumeReads();
  }

  private void stalled() {
    AsyncCall c = call;
    if (c == null) {
      return;
    }
    call = null;
    IoUtils.safeClose(stream);
    String phase =
        (remaining(out) > 0 ? "sending " : "waiting for the answer to ")
            + c.method
            + " ("
            + client.stallMillis
            + " ms)";
    c.timedOut(new TimeoutException(server, phase, null));
  }

  private void broken(Exception e) {
    AsyncCall c = call;
    if (c == null) {
      return;
    }
    call = null;
    timer.remove();
    IoUtils.safeClose(stream);
    if (reused && !gotBytes) {
      // the server closed this idle connection as we reused it: try once on a new one
      c.connect();
      return;
    }
    c.failed(c.method + " failed: " + e.getMessage(), e);
  }

  private static long remaining(ByteBuffer[] buffers) {
    long n = 0;
    for (ByteBuffer b : buffers) {
      n += b.remaining();
    }
    return n;
  }
}
