package mkv.index;

import java.io.IOException;
import java.nio.file.Path;

/** The index directory is held by another process: a running master or tool. */
public final class IndexLockedException extends IOException {
  public IndexLockedException(Path dir) {
    super("index " + dir + " is locked by another process (is a master or tool running on it?)");
  }
}
