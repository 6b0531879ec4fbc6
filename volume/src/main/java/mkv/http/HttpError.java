package mkv.http;

/**
 * A request that cannot be served, thrown by master and volume handlers alike: why, as a code
 * (which decides the status), and a one-line reason for the body.
 */
public final class HttpError extends RuntimeException {
  private final ErrorCode code;

  public HttpError(ErrorCode code, String message) {
    super(message, null, false, false); // expected outcomes: no stack trace to fill
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public int status() {
    return code.status();
  }
}
