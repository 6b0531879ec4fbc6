package mkv.s3;

import java.io.IOException;

/** The master answered a request with an error: its status and one-line reason. */
final class MasterException extends IOException {
  final int status;

  MasterException(int status, String message) {
    super(message);
    this.status = status;
  }
}
