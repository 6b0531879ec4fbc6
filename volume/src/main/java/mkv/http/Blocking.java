package mkv.http;

import io.undertow.server.HttpServerExchange;
import java.util.function.BiConsumer;

/**
 * Hands work that may block (a file, a lock, a volume, the master) to a worker thread and answers
 * its failure: undertow's {@code BlockingHandler}, with each server's own answer to a failure. The
 * exchange stays open until the work (or the answer) ends it.
 */
public final class Blocking {
  /** Work that may block, run on a worker thread. */
  @FunctionalInterface
  public interface Work {
    void run(HttpServerExchange exchange) throws Exception;
  }

  private Blocking() {}

  /**
   * Runs {@code work} on a worker thread: dispatched from an IO thread, at once on a worker. What
   * it throws is answered by {@code failure}.
   */
  public static void run(
      HttpServerExchange exchange, Work work, BiConsumer<HttpServerExchange, Exception> failure) {
    if (exchange.isInIoThread()) {
      exchange.dispatch(() -> here(exchange, work, failure));
    } else {
      here(exchange, work, failure);
    }
  }

  /** Runs {@code work} on this thread, answering its failure. */
  public static void here(
      HttpServerExchange exchange, Work work, BiConsumer<HttpServerExchange, Exception> failure) {
    try {
      work.run(exchange);
    } catch (Exception e) {
      // an Error (out of memory...) goes on to undertow, which answers 500 and logs it
      failure.accept(exchange, e);
    }
  }
}
