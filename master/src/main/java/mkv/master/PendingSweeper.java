package mkv.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.Record;
import mkv.repair.PendingResolver;

/**
 * Finds PENDING records that no write is working on, those a crash left (one pass over the index at
 * start-up) and those whose failed write could not remove every copy (retried periodically), and
 * resolves them with a {@link PendingResolver}.
 */
final class PendingSweeper {
  private static final Logger LOG = Logger.getLogger(PendingSweeper.class.getName());
  static final Duration SETTLE = Duration.ofSeconds(3);

  private final Index index;
  private final PendingResolver resolver;
  private final KeyLocks locks;

  /**
   * A key to resolve again: from when (nanoTime), and after how many clean passes over its copies.
   */
  private record Due(long at, int passes) {}

  private final Map<String, Due> toRetry = new ConcurrentHashMap<>();

  PendingSweeper(Index index, PendingResolver resolver, KeyLocks locks) {
    this.index = index;
    this.resolver = resolver;
    this.locks = locks;
  }

  /**
   * Notes a key whose write failed, to be resolved again once {@link #SETTLE} has passed: a volume
   * may still finish a PUT the master gave up on (the whole body had reached it) after a clean-up;
   * the record goes only after a clean-up that follows another successful one by SETTLE, so that a
   * volume that was unreachable at first (frozen, partitioned) has had time to finish that late
   * copy.
   *
   * @param cleaned whether the failed write's own clean-up reached every replica
   */
  void remember(String key, boolean cleaned) {
    remember(key, cleaned ? 1 : 2);
  }

  private void remember(String key, int passes) {
    toRetry.put(key, new Due(System.nanoTime() + SETTLE.toNanos(), passes));
  }

  /** Resolves the keys noted by {@link #remember} whose time has come; cheap, run periodically. */
  int retry() {
    long now = System.nanoTime();
    List<String> due = new ArrayList<>();
    toRetry.forEach(
        (key, d) -> {
          if (now - d.at() >= 0 && toRetry.remove(key, d)) {
            if (d.passes() > 1) {
              cleanFirst(key, d.passes());
            } else {
              due.add(key);
            }
          }
        });
    return resolve(due);
  }

  /** A clean-up that keeps the record: the next one, SETTLE later, may remove it. */
  private void cleanFirst(String key, int passes) {
    KeyLocks.Held held = locks.tryTake(key);
    if (held == null) {
      return; // a write is in progress: it is not abandoned
    }
    try (held) {
      Record record = index.get(key);
      if (record != null && record.state() == Record.State.PENDING) {
        remember(key, resolver.removeCopies(key, record) ? passes - 1 : passes);
      }
    }
  }

  /**
   * Resolves {@code keys} (the PENDING records a start-up scan found); returns how many it
   * resolved.
   */
  int resolve(List<String> keys) {
    int resolved = 0;
    for (String key : keys) {
      KeyLocks.Held held = locks.tryTake(key);
      if (held == null) {
        continue; // a write is in progress: it is not abandoned
      }
      try (held) {
        Record record = index.get(key);
        if (record == null || record.state() != Record.State.PENDING) {
          continue;
        }
        switch (resolver.resolve(key, record)) {
          case COMPLETED ->
              LOG.info(
                  "completed unfinished write of "
                      + key
                      + ": every replica holds its announced md5");
          case ROLLED_BACK ->
              LOG.info("rolled back unfinished write of " + key + " on " + record.replicas());
          case RETRY_LATER -> {
            remember(key, false);
            LOG.warning(
                "unfinished write of "
                    + key
                    + " not rolled back yet: a replica could not be reached");
            continue;
          }
        }
        resolved++;
      }
    }
    return resolved;
  }
}
