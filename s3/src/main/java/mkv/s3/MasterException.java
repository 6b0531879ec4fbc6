package mkv.s3;

import java.io.IOException;
import mkv.http.ErrorCode;

/** The master answered a request with an error: its status, its reason, its one-line message. */
final class MasterException extends IOException {
  final int status;
  private final ErrorCode code;

  /**
   * @param code the master's {@code Mkv-Error}, or null when it sent none this gateway knows
   */
  MasterException(int status, ErrorCode code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /**
   * Why the master refused: its {@code Mkv-Error}, or for an answer without one (a proxy in front
   * of it) what the status most likely means.
   */
  ErrorCode reason() {
    if (code != null) {
      return code;
    }
    return switch (status) {
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 409 -> ErrorCode.KEY_BUSY;
      case 411 -> ErrorCode.NO_BODY;
      case 414 -> ErrorCode.TOO_LONG;
      case 507 -> ErrorCode.VOLUME_FULL;
      default -> status >= 500 ? ErrorCode.VOLUME_FAILED : ErrorCode.BAD_PARAMETER;
    };
  }
}
