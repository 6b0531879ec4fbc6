package mkv.volume;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.logging.Logger;
import mkv.sync.GroupCommit;
import mkv.sync.SyncMode;
import mkv.sync.Syncfs;

/**
 * How this volume makes a written file durable before answering 201, per {@code --sync}.
 *
 * <p>With syncfs(2) (Linux), one flush of the file system covers every file renamed into place
 * before it started: data, inode and directory entries, including new directories. Concurrent
 * writes share it ({@link GroupCommit}), and nothing needs a file descriptor kept open, so a write
 * of a small body never leaves the IO thread. Without syncfs each write fsyncs its file and the
 * directories it changed, on a worker thread, whatever the mode but {@code none}.
 */
final class Durability implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Durability.class.getName());

  private final SyncMode mode;
  private final Syncfs syncfs;
  private final GroupCommit commit;

  private Durability(SyncMode mode, Syncfs syncfs, GroupCommit commit) {
    this.mode = mode;
    this.syncfs = syncfs;
    this.commit = commit;
  }

  static Durability open(Path root, SyncMode mode, Duration interval) throws IOException {
    Syncfs syncfs = mode == SyncMode.NONE ? null : Syncfs.open(root);
    if (mode != SyncMode.NONE && syncfs == null) {
      LOG.warning(
          "syncfs(2) is not available: every write fsyncs its own file and directory (--sync "
              + mode
              + " acts as always)");
      return new Durability(SyncMode.ALWAYS, null, null);
    }
    GroupCommit commit =
        new GroupCommit("volume-sync", mode, interval, syncfs == null ? () -> {} : syncfs::run);
    return new Durability(mode, syncfs, commit);
  }

  SyncMode mode() {
    return mode;
  }

  /**
   * Whether a whole small body can be written and acknowledged without blocking (no fsync of its
   * own).
   */
  boolean nonBlocking() {
    return commit != null;
  }

  /**
   * Before the rename of a file a worker wrote. Under {@code always} the file flushes its own bytes
   * now: a large value would otherwise hold up the group commit of every small one behind it.
   */
  void beforeRename(FileChannel file) throws IOException {
    if (mode == SyncMode.ALWAYS) {
      file.force(true);
    }
  }

  /**
   * After the rename, on a worker thread: returns once the new entry in {@code dir}, and each
   * directory in {@code created} (deepest on top), is as durable as the mode promises.
   */
  void afterRename(Path dir, Deque<Path> created) throws IOException {
    if (commit != null) {
      commit.awaitWrite();
      return;
    }
    // The first fsync commits the file system's journal with all of them; the others find little
    // left.
    syncDirectory(dir);
    while (!created.isEmpty()) {
      syncDirectory(created.pop().getParent());
    }
  }

  /**
   * After the rename of a small write, on the IO thread (only when {@link #nonBlocking()}): {@code
   * done} runs once it is durable per the mode, at once or from the flush thread.
   */
  void afterRename(Runnable done, Consumer<IOException> failed) {
    commit.afterWrite(done, failed);
  }

  long flushes() {
    return commit == null ? 0 : commit.flushes();
  }

  /** Reports the shared flushes to {@code metrics}. */
  void observe(mkv.metrics.Metrics metrics) {
    if (commit != null) {
      metrics.observe(commit);
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  @Override
  public void close() {
    if (commit != null) {
      commit.close();
    }
    if (syncfs != null) {
      syncfs.close();
    }
  }
}
