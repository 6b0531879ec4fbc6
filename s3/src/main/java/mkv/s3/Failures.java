package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.client.SourceException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
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
    if (t instanceof HttpError e) { // a check of ours shared with the master (Content-MD5)
      return of(e.code(), e.getMessage());
    }
    if (t instanceof MasterException m) {
      return of(m.reason(), m.getMessage());
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

  /**
   * What a reason of the store is in S3's terms. Every code is mapped here, so that no refusal of
   * the master becomes an InternalError by default: a failure of the store is 503
   * ServiceUnavailable (which the SDKs retry), a full volume 507.
   */
  static S3Error of(ErrorCode code, String message) {
    return switch (code) {
      case BAD_DIGEST ->
          new S3Error(
              400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
      case INVALID_DIGEST ->
          new S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
      case TOO_LONG -> new S3Error(400, "KeyTooLongError", "Your key is too long: " + message);
      case INCOMPLETE_BODY -> new S3Error(400, "IncompleteBody", message);
      case BAD_KEY, BAD_PARAMETER, BAD_META, RESERVED_KEY, BAD_PATH ->
          S3Error.invalidArgument(message);
      case FORBIDDEN, PROTECTED -> S3Error.accessDenied(message);
      case NOT_FOUND -> new S3Error(404, "NoSuchKey", "The specified key does not exist.");
      case KEY_EXISTS, KEY_BUSY, VERIFY_RUNNING, PATH_CONFLICT, FENCED ->
          new S3Error(
              409,
              "OperationAborted",
              "A conflicting operation on this key is in progress; try again. (" + message + ")");
      case NO_BODY -> new S3Error(411, "MissingContentLength", message);
      case BAD_RANGE -> new S3Error(416, "InvalidRange", message);
      case VOLUME_FULL -> new S3Error(507, "InsufficientStorage", message);
      case VOLUME_DOWN,
          KEY_MOVING,
          NOT_READY,
          NO_LEADER,
          VOLUME_FAILED,
          VOLUME_TIMEOUT,
          INTERNAL,
          IO_ERROR ->
          S3Error.unavailable(message);
      // the gateway asked with a method the master does not take: a fault here, not in the store
      case METHOD_NOT_ALLOWED -> S3Error.internal(message);
    };
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
