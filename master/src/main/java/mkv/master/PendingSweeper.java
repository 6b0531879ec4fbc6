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
 * Finds PENDING records that no write is working on, those a crash left (one pass over the index
 * at start-up) and those whose failed write could not remove every copy (retried periodically),
 * and resolves them with a {@link PendingResolver}.
 */
final class PendingSweeper {
  private static final Logger LOG = Logger.getLogger(PendingSweeper.class.getName());
  static final Duration SETTLE = Duration.ofSeconds(3);

  private final Index index;
  private final PendingResolver resolver;
  private final KeyLocks locks;
  /** Keys to resolve again, with the time (nanoTime) from which to do so. */
  private final Map<String, Long> toRetry = new ConcurrentHashMap<>();

  PendingSweeper(Index index, PendingResolver resolver, KeyLocks locks) {
    this.index = index;
    this.resolver = resolver;
    this.locks = locks;
  }

  /**
   * Notes a key whose write failed, to be resolved again once {@link #SETTLE} has passed: a volume
   * may still finish a PUT the master gave up on (the whole body had reached it), after the first
   * clean-up; the second one removes that late copy before the record goes.
   */
  void remember(String key) {
    toRetry.put(key, System.nanoTime() + SETTLE.toNanos());
  }

  /** Resolves the keys noted by {@link #remember} whose time has come; cheap, run periodically. */
  int retry() {
    long now = System.nanoTime();
    List<String> due = new ArrayList<>();
    toRetry.forEach((key, at) -> {
      if (now - at >= 0 && toRetry.remove(key, at)) {
        due.add(key);
      }
    });
    return resolve(due);
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

  private int resolve(List<String> keys) {
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
          case COMPLETED -> LOG.info("completed unfinished write of " + key + ": every replica holds its announced md5");
          case ROLLED_BACK -> LOG.info("rolled back unfinished write of " + key + " on " + record.replicas());
          case RETRY_LATER -> {
            remember(key);
            LOG.warning("unfinished write of " + key + " not rolled back yet: a replica could not be reached");
            continue;
          }
        }
        resolved++;
      }
    }
    return resolved;
  }
}
