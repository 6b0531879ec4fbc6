package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import mkv.client.SourceException;
import org.xnio.XnioExecutor;

/**
 * Receives a small request body whole without blocking the IO thread, bounded by the stall time-out
 * (for a body this small, taking that long is the same as stalling): a body that does not arrive in
 * time is a 400 and the connection is closed.
 */
public final class SmallBody {
  private boolean done;
  private XnioExecutor.Key timer;

  private SmallBody() {}

  /**
   * Calls {@code then} with the body on the IO thread (at once if it is all here already); a
   * RuntimeException it throws is answered through {@link Failures}.
   */
  static void receive(HttpServerExchange exchange, Duration stallTimeout, Consumer<byte[]> then) {
    receive(exchange, stallTimeout, then, Failures::answer);
  }

  /**
   * As above, with {@code fail} answering the failures: a RuntimeException {@code then} throws, a
   * body that broke off, or one that did not arrive in time.
   */
  public static void receive(
      HttpServerExchange exchange,
      Duration stallTimeout,
      Consumer<byte[]> then,
      BiConsumer<HttpServerExchange, Exception> fail) {
    SmallBody b = new SmallBody();
    exchange
        .getRequestReceiver()
        .receiveFullBytes(
            (x, body) -> {
              if (b.finish()) {
                try {
                  then.accept(body);
                } catch (RuntimeException e) {
                  fail.accept(x, e);
                }
              }
            },
            (x, e) -> {
              if (b.finish()) {
                fail.accept(
                    x, new SourceException("reading the body failed: " + e.getMessage(), e));
              }
            });
    if (!b.done) {
      long ms = stallTimeout.toMillis();
      b.timer =
          exchange
              .getIoThread()
              .executeAfter(
                  () -> {
                    if (b.finish()) {
                      exchange.setPersistent(false);
                      fail.accept(
                          exchange,
                          new SourceException(
                              "the body did not arrive within " + ms + " ms", null));
                    }
                  },
                  ms,
                  TimeUnit.MILLISECONDS);
    }
  }

  /**
   * True for the first of the body, a failure and the time-out to happen; they all run on the IO
   * thread.
   */
  private boolean finish() {
    if (done) {
      return false;
    }
    done = true;
    if (timer != null) {
      timer.remove();
    }
    return true;
  }
}
