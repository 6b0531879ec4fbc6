package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.client.SourceException;
import mkv.client.VolumeException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;

/**
 * The one place that turns a failure into a status, its {@code Mkv-Error} code and a one-line body.
 */
final class Failures {
  private static final Logger LOG = Logger.getLogger(Failures.class.getName());

  private Failures() {}

  /** Why {@code t} failed the request, which decides the status. */
  static ErrorCode code(Throwable t) {
    if (t instanceof HttpError e) {
      return e.code();
    }
    if (t instanceof VolumeException e) {
      if (e.diskFull()) {
        return ErrorCode.VOLUME_FULL;
      }
      return e.timedOut() ? ErrorCode.VOLUME_TIMEOUT : ErrorCode.VOLUME_FAILED;
    }
    if (t instanceof SourceException) {
      // the client's own body broke off; it is usually gone and never reads this
      return ErrorCode.INCOMPLETE_BODY;
    }
    return ErrorCode.INTERNAL;
  }

  /** Answers the exchange with the failure, unless the response has already begun. */
  static void answer(HttpServerExchange exchange, Throwable t) {
    ErrorCode code = code(t);
    int status = code.status();
    String line =
        exchange.getRequestMethod()
            + " "
            + exchange.getRequestPath()
            + ": "
            + (status >= 500 ? "" : status + " ")
            + t.getMessage();
    if (status >= 500) {
      LOG.log(
          Level.WARNING, line, t instanceof VolumeException || t instanceof HttpError ? null : t);
    } else if (t instanceof SourceException) {
      LOG.info(line); // a client whose body stalled or broke off: one line, never a stack trace
    } else {
      LOG.fine(line);
    }
    if (exchange.isResponseStarted()) {
      exchange.setPersistent(false);
      exchange.endExchange();
      return;
    }
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Protocol.ERROR, code.code());
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseSender().send(message.replace('\n', ' ') + "\n");
  }
}
