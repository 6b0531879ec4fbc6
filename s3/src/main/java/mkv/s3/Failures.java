package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.client.SourceException;
import mkv.s3.auth.PayloadException;
import mkv.s3.xml.S3Error;
import mkv.s3.xml.Xml;

/** The one place that turns a failure into S3's error document and status. */
final class Failures {
  private static final Logger LOG = Logger.getLogger(Failures.class.getName());

  private Failures() {}

  /** The S3 error a failure is, for the client. */
  static S3Error of(Throwable t, String master) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof S3Error e) {
        return e;
      }
      if (c instanceof PayloadException p) {
        return p.error();
      }
    }
    if (t instanceof MasterException m) {
      String msg = m.getMessage();
      return switch (m.status) {
        case 400 ->
            msg.contains("does not match Content-MD5")
                ? new S3Error(
                    400,
                    "BadDigest",
                    "The Content-MD5 you specified did not match what we received.")
                : S3Error.invalidRequest(msg);
        case 404 -> new S3Error(404, "NoSuchKey", "The specified key does not exist.");
        case 409 ->
            new S3Error(
                409,
                "OperationAborted",
                "A conflicting operation on this key is in progress; "
                    + "try again. ("
                    + msg
                    + ")");
        case 411 -> new S3Error(411, "MissingContentLength", msg);
        case 414 -> new S3Error(400, "KeyTooLongError", "Your key is too long: " + msg);
        case 507 -> new S3Error(507, "InsufficientStorage", msg);
        default -> m.status >= 500 ? S3Error.unavailable(msg) : S3Error.internal(msg);
      };
    }
    if (t instanceof SourceException) { // the client's body, received whole on the IO thread
      return new S3Error(
          400, "IncompleteBody", "the request body did not arrive: " + t.getMessage());
    }
    if (t instanceof IOException) {
      return S3Error.unavailable("the store at " + master + " did not answer: " + t.getMessage());
    }
    return S3Error.internal(t.toString());
  }

  /** Answers the exchange with the failure, unless the response has already begun. */
  static void answer(HttpServerExchange exchange, Throwable t, String resource, String master) {
    S3Error e = of(t, master);
    String line =
        exchange.getRequestMethod()
            + " "
            + resource
            + ": "
            + e.status()
            + " "
            + e.code()
            + " "
            + e.getMessage();
    if (e.status() >= 500) {
      LOG.log(Level.WARNING, line, e.code().equals("InternalError") ? t : null);
    } else {
      LOG.fine(line);
    }
    if (exchange.isResponseStarted()) {
      exchange.setPersistent(false);
      exchange.endExchange();
      return;
    }
    exchange.setStatusCode(e.status());
    if (exchange.getRequestMethod().toString().equals("HEAD")) {
      exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
      exchange.endExchange();
      return;
    }
    byte[] doc = document(e, resource, Replies.requestId(exchange));
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, Xml.CONTENT_TYPE);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, doc.length);
    if (e.status() == 400 && !exchange.isRequestComplete()) {
      exchange.setPersistent(false); // the rest of a refused body is not worth reading
    }
    exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(doc));
  }

  /** S3's {@code <Error>} document. */
  static byte[] document(S3Error e, String resource, String requestId) {
    Xml x = Xml.bare("Error").element("Code", e.code()).element("Message", e.getMessage());
    e.details().forEach(x::element);
    return x.element("Resource", resource).element("RequestId", requestId).end("Error");
  }
}
