package mkv.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;

/**
 * Resolves PENDING records that no write is working on: those a crash left, and those whose failed
 * write could not remove every copy. No client was told such a write succeeded, so either outcome
 * is correct: a write whose client announced its size and md5 is completed when every replica
 * holds exactly that; any other is rolled back (every copy removed, then the record).
 */
final class PendingSweeper {
  private static final Logger LOG = Logger.getLogger(PendingSweeper.class.getName());

  private final Index index;
  private final VolumeClient client;
  private final KeyLocks locks;
  private final Set<String> toRetry = ConcurrentHashMap.newKeySet();

  PendingSweeper(Index index, VolumeClient client, KeyLocks locks) {
    this.index = index;
    this.client = client;
    this.locks = locks;
  }

  /** Notes a key whose failed write left copies behind, for the next {@link #retry()}. */
  void remember(String key) {
    toRetry.add(key);
  }

  /** Resolves the keys noted by {@link #remember}; cheap, run periodically. */
  int retry() {
    List<String> keys = new ArrayList<>(toRetry);
    toRetry.removeAll(keys);
    return resolve(keys);
  }

  /** One pass over the whole index, at start-up, for what a crash left; returns how many it resolved. */
  int sweepAll() {
    List<String> pending = new ArrayList<>();
    try (Index.Scan scan = index.scan("", null)) {
      while (scan.hasNext()) {
        Index.Entry e = scan.next();
        if (e.record().state() == Record.State.PENDING) {
          pending.add(e.key());
        }
      }
    }
    return resolve(pending);
  }

  private int resolve(List<String> pending) {
    int resolved = 0;
    for (String key : pending) {
      KeyLocks.Held held = locks.tryTake(key);
      if (held == null) {
        continue; // a write is in progress: it is not abandoned
      }
      try (held) {
        Record record = index.get(key);
        if (record == null || record.state() != Record.State.PENDING) {
          continue;
        }
        if (complete(key, record)) {
          index.put(key, new Record(Record.State.LIVE, record.replicas(), record.size(), record.md5(),
              record.created(), List.of()), true);
          resolved++;
          LOG.info("completed unfinished write of " + key + ": every replica holds its announced md5");
          continue;
        }
        List<VolumeException> failures = client.deleteAll(record.replicas(), KeyPath.of(key));
        if (failures.isEmpty()) {
          index.delete(key, true);
          resolved++;
          LOG.info("rolled back unfinished write of " + key + " on " + record.replicas());
        } else {
          toRetry.add(key);
          LOG.warning("unfinished write of " + key + " not rolled back yet: " + failures.get(0).getMessage());
        }
      }
    }
    return resolved;
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
