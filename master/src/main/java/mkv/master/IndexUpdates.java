package mkv.master;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.index.Index;
import mkv.index.IndexCommand;
import mkv.index.Record;
import mkv.raft.MasterGroup;
import mkv.raft.NotLeaderException;

/**
 * The master's one way to change the index: commands submitted to its group, acknowledged once a
 * majority of masters has them in its log and this one has applied them. Handlers and background
 * work never write LevelDB themselves. Each change is guarded by the version of the record its
 * writer read, so that nothing a deposed leader still sends can undo a later one.
 */
final class IndexUpdates {
  private final MasterGroup group;

  IndexUpdates(MasterGroup group) {
    this.group = group;
  }

  /** Submits a command; see {@link MasterGroup#submit}. */
  CompletableFuture<Index.Outcome> submit(IndexCommand command) {
    return group.submit(command);
  }

  /**
   * Writes {@code next} (null: removes the record) if the key's record is still the one with
   * version {@code expect}; completes with the version written.
   *
   * @return a future failed with an HttpError 409 when the record changed meanwhile, or {@link
   *     NotLeaderException} when this master does not lead
   */
  CompletableFuture<Long> write(String key, long expect, Record next) {
    return submit(IndexCommand.of(key, expect, next)).thenApply(IndexUpdates::version);
  }

  /** {@link #write} of a key whose record was {@code read} (null: none). */
  CompletableFuture<Long> replace(String key, Record read, Record next) {
    return write(key, IndexCommand.expecting(read), next);
  }

  /** {@link #replace}, waiting for it: for worker threads. */
  long replaceNow(String key, Record read, Record next) throws IOException {
    return await(replace(key, read, next));
  }

  /** Stores settings of the index (a null value removes one), waiting for them. */
  void settingsNow(List<IndexCommand.Setting> settings) throws IOException {
    await(submit(IndexCommand.settings(settings)));
  }

  private static long version(Index.Outcome o) {
    if (!o.applied()) {
      throw new CompletionException(
          new HttpError(
              ErrorCode.KEY_BUSY, "the key " + o.conflict() + " changed meanwhile; retry"));
    }
    return o.index();
  }

  /**
   * Waits for {@code f}; an HttpError or IOException it failed with is thrown as it is.
   *
   * @throws IOException when the group failed it ({@link NotLeaderException} among them)
   */
  static <T> T await(CompletableFuture<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the masters");
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /** The failure a future completed with, as thrown by a blocking call. */
  static IOException unwrap(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof HttpError h) {
      throw h;
    }
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    return new IOException(cause);
  }
}
