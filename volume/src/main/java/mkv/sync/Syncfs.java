package mkv.sync;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * syncfs(2): one call that makes every change to a file system durable (file data, inodes,
 * directory entries, then a cache flush of the device), so that one call can cover every write a
 * group commit collected. Linux only, through JNA; {@link #open} returns null elsewhere.
 */
public final class Syncfs implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Syncfs.class.getName());
  private static final int O_RDONLY = 0;
  private static final int O_DIRECTORY = 0x10000; // Linux's value on x86-64 and aarch64
  private static final boolean LOADED = load();

  private final Path dir;
  private final int fd;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Syncfs(Path dir, int fd) {
    this.dir = dir;
    this.fd = fd;
  }

  private static boolean load() {
    if (!Platform.isLinux() || !(Platform.isIntel() || Platform.isARM())) {
      return false;
    }
    try {
      Native.register(Syncfs.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (LinkageError | RuntimeException e) {
      LOG.warning("syncfs(2) is not available (" + e + "): writes are flushed one by one");
      return false;
    }
  }

  private static native int open(String path, int flags) throws LastErrorException;

  private static native int syncfs(int fd) throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  /**
   * Opens the file system that holds {@code dir} for {@link #run}.
   *
   * @return null when syncfs is not available on this platform
   */
  public static Syncfs open(Path dir) throws IOException {
    if (!LOADED) {
      return null;
    }
    try {
      return new Syncfs(dir, open(dir.toString(), O_RDONLY | O_DIRECTORY));
    } catch (LastErrorException e) {
      throw new IOException("cannot open " + dir + ": errno " + e.getErrorCode());
    }
  }

  /** Makes every change made so far to the file system of the directory durable. */
  public void run() throws IOException {
    try {
      syncfs(fd);
    } catch (LastErrorException e) {
      // Since Linux 5.8 this reports any write-back error since the previous call (EIO, ENOSPC...)
      throw new IOException("syncfs of " + dir + " failed: errno " + e.getErrorCode());
    }
  }

  /**
   * Closes the descriptor, once: a second close(2) of the same number would close whatever file or
   * socket the process opened under it since.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      close(fd);
    } catch (LastErrorException e) {
      LOG.warning("closing " + dir + ": errno " + e.getErrorCode());
    }
  }
}
