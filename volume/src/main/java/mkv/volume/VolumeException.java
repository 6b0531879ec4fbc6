package mkv.volume;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** A failed request: the HTTP status to answer and a one-line message for the body. */
final class VolumeException extends RuntimeException {
  private final int status;

  VolumeException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }

  /**
   * The single failure-to-status switch: every handler failure goes through here.
   * ENOSPC is 507 so the master can tell a full disk from a broken one.
   */
  static VolumeException of(Throwable t) {
    if (t instanceof VolumeException v) {
      return v;
    }
    if (t instanceof NoSuchFileException) {
      return new VolumeException(404, "not found");
    }
    if (isDiskFull(t)) {
      return new VolumeException(507, "no space left on device");
    }
    if (t instanceof AccessDeniedException) {
      return new VolumeException(500, "permission denied");
    }
    if (t instanceof IOException) {
      return new VolumeException(500, "io error: " + oneLine(t));
    }
    return new VolumeException(500, "internal error: " + oneLine(t));
  }

  static boolean isDiskFull(Throwable t) {
    Throwable c = t;
    // the cause chain is short; the bound only guards against a cyclic chain
    for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause()) {
      String reason = c instanceof FileSystemException f ? f.getReason() : null;
      if (contains(reason, "No space left on device") || contains(c.getMessage(), "No space left on device")) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(String s, String part) {
    return s != null && s.contains(part);
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replaceAll("[\\r\\n]+", " ");
  }
}
