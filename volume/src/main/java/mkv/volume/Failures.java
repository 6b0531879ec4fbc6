package mkv.volume;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/** Maps what went wrong in a volume handler to the status and one-line body to answer. */
final class Failures {
  private Failures() {}

  /**
   * The single failure-to-status switch: every handler failure goes through here. ENOSPC is 507 so
   * the master can tell a full disk from a broken one.
   */
  static HttpError of(Throwable t) {
    if (t instanceof HttpError v) {
      return v;
    }
    if (t instanceof NoSuchFileException) {
      return new HttpError(ErrorCode.NOT_FOUND, "not found");
    }
    if (isDiskFull(t)) {
      return new HttpError(ErrorCode.VOLUME_FULL, "no space left on device");
    }
    if (t instanceof AccessDeniedException) {
      return new HttpError(ErrorCode.IO_ERROR, "permission denied");
    }
    if (t instanceof IOException) {
      return new HttpError(ErrorCode.IO_ERROR, "io error: " + oneLine(t));
    }
    return new HttpError(ErrorCode.INTERNAL, "internal error: " + oneLine(t));
  }

  static boolean isDiskFull(Throwable t) {
    Throwable c = t;
    // the cause chain is short; the bound only guards against a cyclic chain
    for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause()) {
      String reason = c instanceof FileSystemException f ? f.getReason() : null;
      if (contains(reason, "No space left on device")
          || contains(c.getMessage(), "No space left on device")) {
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
