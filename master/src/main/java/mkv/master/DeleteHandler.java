package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.util.List;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;

/**
 * DELETE and UNLINK of a key.
 *
 * <p>DELETE first marks the record DELETING, durably, then removes every copy, then the record: a
 * delete that fails half way leaves the key unlinked (never served, listed by {@code ?unlinked}),
 * and retrying the DELETE, or {@code verify --repair}, finishes it.
 */
final class DeleteHandler {
  private final Index index;
  private final VolumeClient client;
  private final VolumeHealth health;
  private final KeyLocks locks;
  private final boolean protect;

  DeleteHandler(Index index, VolumeClient client, VolumeHealth health, KeyLocks locks, boolean protect) {
    this.index = index;
    this.client = client;
    this.health = health;
    this.locks = locks;
    this.protect = protect;
  }

  void delete(HttpServerExchange exchange, String key) {
    try (KeyLocks.Held held = locks.take(key)) {
      Record record = existing(key);
      if (record.isLive() && protect) {
        throw new HttpError(403, "protected: UNLINK the key before deleting it");
      }
      if (record.state() != Record.State.DELETING) {
        index.put(key, record.withState(Record.State.DELETING), true);
      }
      List<VolumeException> failures = client.deleteAll(record.replicas(), KeyPath.of(key));
      if (!failures.isEmpty()) {
        failures.forEach(health::failed);
        throw failures.get(0); // the key stays unlinked for a retry
      }
      // Unsynced: if a crash loses it, the key comes back DELETING with no copies, and a retry ends it.
      index.delete(key, false);
    } catch (VolumeException e) {
      throw new HttpError(Failures.status(e), e.getMessage() + "; the key is unlinked, retry the DELETE");
    }
    noContent(exchange);
  }

  void unlink(HttpServerExchange exchange, String key) {
    try (KeyLocks.Held held = locks.take(key)) {
      Record record = existing(key);
      if (!record.isLive()) {
        throw new HttpError(404, "no such key (already unlinked)");
      }
      index.put(key, record.withState(Record.State.UNLINKED), true);
    }
    noContent(exchange);
  }

  /** The key's record; a PENDING one is a write that never finished, so it does not exist. */
  private Record existing(String key) {
    Record record = index.get(key);
    if (record == null || record.state() == Record.State.PENDING) {
      throw new HttpError(404, "no such key");
    }
    return record;
  }

  private static void noContent(HttpServerExchange exchange) {
    exchange.setStatusCode(204);
    exchange.endExchange();
  }
}
