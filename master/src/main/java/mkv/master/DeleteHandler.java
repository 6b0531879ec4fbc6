package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.time.Duration;
import mkv.client.AsyncClient;
import mkv.client.VolumeException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.sync.GroupCommit;

/**
 * DELETE and UNLINK of a key.
 *
 * <p>DELETE first marks the record DELETING and waits until that mark is on disk (a flush shared
 * with every write in flight; none under {@code --sync none}), then removes every copy, then the
 * record. A crash can therefore never leave a live record whose copies are gone: a delete that
 * fails half way leaves the key unlinked (never served, listed by {@code ?unlinked}), and retrying
 * the DELETE, or {@code verify --repair}, finishes it. DELETE runs on the IO thread from start to
 * answer, the volume requests through {@link AsyncClient}. A delete of a key being moved waits for
 * the move.
 */
final class DeleteHandler {
  private final Index index;
  private final GroupCommit commit;
  private final AsyncClient async;
  private final VolumeHealth health;
  private final KeyLocks locks;
  private final boolean protect;
  private final Duration stallTimeout;

  DeleteHandler(
      Index index,
      GroupCommit commit,
      AsyncClient async,
      VolumeHealth health,
      KeyLocks locks,
      boolean protect,
      Duration stallTimeout) {
    this.stallTimeout = stallTimeout;
    this.index = index;
    this.commit = commit;
    this.async = async;
    this.health = health;
    this.locks = locks;
    this.protect = protect;
  }

  /** Called on the IO thread. */
  void delete(HttpServerExchange exchange, String key) {
    KeyLocks.Held held = locks.takeOnIoThread(exchange, key, () -> delete(exchange, key));
    if (held == null) {
      return; // a move holds the key: tried again when it is done
    }
    Record record;
    try {
      record = existing(key);
      if (record.isLive() && protect) {
        throw new HttpError(ErrorCode.PROTECTED, "protected: UNLINK the key before deleting it");
      }
      if (record.state() != Record.State.DELETING) {
        index.put(key, record.withState(Record.State.DELETING), false);
      }
    } catch (RuntimeException e) {
      held.close();
      throw e;
    }
    // From here the answer comes from a callback: keep the exchange open past this call.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            commit.afterFlush(
                () ->
                    MasterRouter.onIoThread(
                        exchange, () -> removeCopies(exchange, key, record, held)),
                e ->
                    MasterRouter.onIoThread(
                        exchange,
                        () -> {
                          held.close();
                          Failures.answer(
                              exchange,
                              new IOException(
                                  "index flush failed before any copy was removed: "
                                      + e.getMessage(),
                                  e));
                        })));
  }

  private void removeCopies(
      HttpServerExchange exchange, String key, Record record, KeyLocks.Held held) {
    async.deleteAll(
        exchange.getIoThread(),
        record.everyCopy(),
        KeyPath.of(key),
        failures -> {
          try (held) {
            if (!failures.isEmpty()) {
              failures.forEach(health::failed);
              VolumeException first = failures.get(0);
              throw new HttpError(
                  Failures.code(first),
                  first.getMessage() + "; the key is unlinked, retry the DELETE");
            }
            // Unsynced: if a crash loses it, the key comes back DELETING with no copies, and a
            // retry ends it.
            index.delete(key, false);
            exchange.setStatusCode(204);
            exchange.endExchange();
          } catch (RuntimeException e) {
            Failures.answer(exchange, e);
          }
        });
  }

  /** Called on a worker thread: the UNLINKED mark, durable per {@code --sync}. */
  void unlink(HttpServerExchange exchange, String key) throws IOException {
    try (KeyLocks.Held held = locks.take(key, stallTimeout)) {
      Record record = existing(key);
      if (!record.isLive()) {
        throw new HttpError(ErrorCode.NOT_FOUND, "no such key (already unlinked)");
      }
      index.put(key, record.withState(Record.State.UNLINKED), false);
      commit.awaitWrite();
    }
    exchange.setStatusCode(204);
    exchange.endExchange();
  }

  /** The key's record; a PENDING one is a write that never finished, so it does not exist. */
  private Record existing(String key) {
    Record record = index.get(key);
    if (record == null || record.state() == Record.State.PENDING) {
      throw new HttpError(ErrorCode.NOT_FOUND, "no such key");
    }
    return record;
  }
}
