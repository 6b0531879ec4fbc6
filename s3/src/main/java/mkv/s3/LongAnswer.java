package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import mkv.s3.xml.S3Error;

/**
 * The answer of an operation that may outlast a client's read time-out (CompleteMultipartUpload,
 * CopyObject of a large object): once it has run {@link #START_SECONDS}, a 200 starts with the XML
 * declaration and a space follows every {@link #START_SECONDS}; the result, or an error document,
 * ends it, as S3 does. Shorter operations answer normally, with their real status.
 */
final class LongAnswer implements AutoCloseable {
  static final long START_SECONDS = 10;
  private static final byte[] DECLARATION =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".getBytes(StandardCharsets.UTF_8);

  private final HttpServerExchange exchange;
  private final ScheduledFuture<?> pings;
  private final Object lock = new Object();
  private OutputStream out; // guarded by lock; set once the 200 has started
  private boolean done; // guarded by lock

  LongAnswer(HttpServerExchange exchange, ScheduledExecutorService timer) {
    this.exchange = exchange;
    this.pings =
        timer.scheduleWithFixedDelay(this::ping, START_SECONDS, START_SECONDS, TimeUnit.SECONDS);
  }

  private void ping() {
    synchronized (lock) {
      if (done) {
        return;
      }
      try {
        if (out == null) {
          exchange.setStatusCode(200);
          exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/xml");
          out = exchange.getOutputStream();
          out.write(DECLARATION);
        } else {
          out.write(' ');
        }
        out.flush();
      } catch (IOException e) {
        done = true; // the client is gone: the operation finishes anyway
      }
    }
  }

  /**
   * Ends with a 200 and {@code doc}; true when the answer was already under way (then it is done
   * too).
   */
  void finish(byte[] doc) throws IOException {
    synchronized (lock) {
      done = true;
      pings.cancel(false);
      if (out == null) {
        Replies.xml(exchange, 200, doc);
        return;
      }
      out.write(withoutDeclaration(doc));
      out.close();
    }
  }

  /** Answers a failure: normally before the 200 began, else as an error document inside it. */
  void fail(Throwable t, String resource, String masterUrl) throws IOException {
    synchronized (lock) {
      done = true;
      pings.cancel(false);
      if (out == null) {
        Failures.answer(exchange, t, resource, masterUrl);
        return;
      }
      S3Error e = Failures.of(t, masterUrl);
      out.write(withoutDeclaration(Failures.document(e, resource, Replies.requestId(exchange))));
      out.close();
    }
  }

  private static byte[] withoutDeclaration(byte[] doc) {
    String s = new String(doc, StandardCharsets.UTF_8);
    return (s.startsWith("<?xml") ? s.substring(s.indexOf("?>") + 2).strip() : s)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    synchronized (lock) {
      done = true;
      pings.cancel(false);
    }
  }
}
