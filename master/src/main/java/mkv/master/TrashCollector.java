package mkv.master;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.index.Index;
import mkv.index.IndexCommand;
import mkv.index.Record;
import mkv.layout.KeyPath;

/**
 * Deletes the copies of deleted keys. A DELETE is acknowledged once one command has removed the
 * record and noted its copies in the index's trash (a setting {@code trash:KEY}); the leader then
 * deletes them here, soon after, and removes the note once they are gone. A new leader picks up the
 * notes its predecessor left, reading only those. A copy the key's current record names (it was
 * written again meanwhile, on the same volume) is never deleted.
 */
final class TrashCollector implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TrashCollector.class.getName());

  /** The prefix of the trash notes among the index's settings. */
  static final String PREFIX = "trash:";

  private static final long RETRY_MAX_MILLIS = 60_000;

  private final Index index;
  private final IndexUpdates updates;
  private final KeyLocks locks;
  private final VolumeClient client;
  private final VolumeHealth health;
  private final ScheduledThreadPoolExecutor executor;
  private volatile boolean running;

  TrashCollector(
      Index index,
      IndexUpdates updates,
      KeyLocks locks,
      VolumeClient client,
      VolumeHealth health,
      int threads) {
    this.index = index;
    this.updates = updates;
    this.locks = locks;
    this.client = client;
    this.health = health;
    this.executor =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, "trash-collector");
              t.setDaemon(true);
              return t;
            });
  }

  /** The copies noted for {@code key} in the trash, to which a delete adds its own. */
  static List<String> noted(Index index, String key) {
    String v = index.meta(PREFIX + key);
    return v == null || v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
  }

  /** The setting that notes {@code copies} of {@code key} (none: removes the note). */
  static IndexCommand.Setting note(String key, List<String> copies) {
    return new IndexCommand.Setting(
        PREFIX + key, copies.isEmpty() ? null : String.join(",", copies));
  }

  /** On becoming leader: deletes what the trash holds, and what deletes add from now on. */
  void start() {
    running = true;
    index.forEachSetting(PREFIX, (key, copies) -> collect(key, 0, 1000));
  }

  /** On losing leadership: stops at once (the next leader goes on). */
  void stop() {
    running = false;
    executor.getQueue().clear();
  }

  /** Deletes the copies of {@code key}, noted by a delete just committed. */
  void collect(String key) {
    collect(key, 0, 1000);
  }

  private void collect(String key, long delayMillis, long backoffMillis) {
    if (!running) {
      return;
    }
    executor.schedule(
        () -> {
          long retry = collectNow(key) ? -1 : backoffMillis;
          if (retry >= 0) {
            collect(key, retry, Math.min(RETRY_MAX_MILLIS, backoffMillis * 2));
          }
        },
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  /** False when some copy is left to delete (a volume down or failing): try again later. */
  private boolean collectNow(String key) {
    if (!running) {
      return true;
    }
    KeyLocks.Held held = locks.tryTakeForMove(key);
    if (held == null) {
      return false; // a write or delete of it is under way: later
    }
    try (held) {
      List<String> copies = noted(index, key);
      if (copies.isEmpty()) {
        return true;
      }
      Record now = index.get(key);
      Set<String> keep = new LinkedHashSet<>(now == null ? List.of() : now.everyCopy());
      List<String> doomed = new ArrayList<>();
      List<String> left = new ArrayList<>();
      for (String c : copies) {
        if (keep.contains(c)) {
          continue; // written again: this copy is the new value's
        }
        (health.reachable(c) ? doomed : left).add(c);
      }
      for (VolumeException e : client.deleteAll(doomed, KeyPath.of(key))) {
        left.add(e.volume());
        LOG.warning(
            "deleted key "
                + key
                + ": its copy on "
                + e.volume()
                + " is left for now: "
                + e.getMessage());
      }
      updates.settingsNow(List.of(note(key, left)));
      return left.isEmpty();
    } catch (Exception e) {
      LOG.warning("deleted key " + key + ": its copies are not deleted yet: " + e);
      return false;
    }
  }

  @Override
  public void close() {
    running = false;
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
