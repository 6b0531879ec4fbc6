package mkv.http;

/**
 * A request that cannot be served, thrown by master and volume handlers alike: the status to answer
 * and a one-line reason for the body.
 */
public final class HttpError extends RuntimeException {
  private final int status;

  public HttpError(int status, String message) {
    super(message, null, false, false); // expected outcomes: no stack trace to fill
    this.status = status;
  }

  public int status() {
    return status;
  }
}
