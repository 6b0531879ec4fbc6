package mkv.master;

/** A request that cannot be served: carries the status and a one-line reason for the client. */
final class HttpError extends RuntimeException {
  final int status;

  HttpError(int status, String message) {
    super(message, null, false, false); // expected outcomes: no stack trace to fill
    this.status = status;
  }
}
