package mkv.repair;

import java.util.List;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;

/**
 * Resolves one PENDING record that no write is working on (the caller makes sure of that). No
 * client was told such a write succeeded, so either outcome is correct: a write whose client
 * announced its size and md5 is completed when every replica holds exactly that; any other is
 * rolled back, every copy removed before the record.
 */
public final class PendingResolver {
  /** What became of a pending record. */
  public enum Outcome { COMPLETED, ROLLED_BACK, RETRY_LATER }

  private final Index index;
  private final VolumeClient client;

  public PendingResolver(Index index, VolumeClient client) {
    this.index = index;
    this.client = client;
  }

  /**
   * @return RETRY_LATER when a copy could not be removed (a volume is down): the record stays
   *     PENDING, so nothing is served and a later attempt finishes the roll-back
   */
  public Outcome resolve(String key, Record record) {
    if (complete(key, record)) {
      index.put(key, new Record(Record.State.LIVE, record.replicas(), record.size(), record.md5(), record.created(),
          List.of(), record.placement(), record.leaving(), record.meta()), true);
      return Outcome.COMPLETED;
    }
    if (!removeCopies(key, record)) {
      return Outcome.RETRY_LATER;
    }
    index.delete(key, true);
    return Outcome.ROLLED_BACK;
  }

  /** Removes every copy the record names, keeping the record; false when a replica could not be reached. */
  public boolean removeCopies(String key, Record record) {
    return client.deleteAll(record.replicas(), KeyPath.of(key)).isEmpty();
  }

  /** Whether every replica holds the announced size and md5 (only known when the client sent them). */
  private boolean complete(String key, Record record) {
    if (record.size() < 0 || record.md5() == null) {
      return false;
    }
    String path = KeyPath.of(key);
    try {
      for (String replica : record.replicas()) {
        if (client.size(replica, path) != record.size() || !record.md5().equals(client.md5(replica, path))) {
          return false;
        }
      }
      return true;
    } catch (VolumeException e) {
      return false;
    }
  }
}
