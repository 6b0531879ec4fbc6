package mkv.client;

import java.io.IOException;

/** The stream being copied to volumes failed: the client went away, or a source volume did. */
public final class SourceException extends IOException {
  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
