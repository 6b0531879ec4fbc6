package mkv.s3.auth;

import java.io.IOException;
import mkv.s3.xml.S3Error;

/**
 * A request body that failed its checks (a chunk signature, a hash, the framing): what to answer.
 */
public final class PayloadException extends IOException {
  private final transient S3Error error;

  public PayloadException(S3Error error) {
    super(error.code() + ": " + error.getMessage());
    this.error = error;
  }

  public S3Error error() {
    return error;
  }
}
