package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.client.SourceException;
import mkv.client.VolumeException;
import mkv.http.HttpError;

/** The one place that turns a failure into a status and a one-line body. */
final class Failures {
  private static final Logger LOG = Logger.getLogger(Failures.class.getName());

  private Failures() {}

  static int status(Throwable t) {
    if (t instanceof HttpError e) {
      return e.status();
    }
    if (t instanceof VolumeException e) {
      if (e.diskFull()) {
        return 507;
      }
      return e.timedOut() ? 504 : 502;
    }
    if (t instanceof SourceException) {
      return 400; // the client's own body broke off; it is usually gone and never reads this
    }
    return 500;
  }

  /** Answers the exchange with the failure, unless the response has already begun. */
  static void answer(HttpServerExchange exchange, Throwable t) {
    int status = status(t);
    if (status >= 500) {
      LOG.log(
          Level.WARNING,
          exchange.getRequestMethod() + " " + exchange.getRequestPath() + ": " + t.getMessage(),
          t instanceof VolumeException || t instanceof HttpError ? null : t);
    } else if (t instanceof SourceException) {
      // a client whose body stalled or broke off: worth one line, never a stack trace
      LOG.info(
          exchange.getRequestMethod()
              + " "
              + exchange.getRequestPath()
              + ": "
              + status
              + " "
              + t.getMessage());
    } else {
      LOG.fine(
          () ->
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestPath()
                  + ": "
                  + status
                  + " "
                  + t.getMessage());
    }
    if (exchange.isResponseStarted()) {
      exchange.setPersistent(false);
      exchange.endExchange();
      return;
    }
    exchange.setStatusCode(status);
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseSender().send(message.replace('\n', ' ') + "\n");
  }
}
