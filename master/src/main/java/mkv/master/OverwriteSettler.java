package mkv.master;

import java.io.IOException;
import java.util.List;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.Placement;
import mkv.move.KeyMover;

/**
 * Brings home a key an overwrite staged ({@link Placement#staged}), after the grace that lets
 * readers sent to the old copies before the switch fetch them: the value is copied from the staged
 * copies over the old ones where placement wants it (each replaced whole by its volume's rename;
 * none is served meanwhile), the record switches to them, and the staged copies are deleted after
 * another grace. A record whose only staged copies are leaving (a failed overwrite) has them
 * deleted. Retried with a back-off while a volume it needs is down.
 */
final class OverwriteSettler {
  private static final Logger LOG = Logger.getLogger(OverwriteSettler.class.getName());
  private static final long RETRY_MAX_MILLIS = 30_000;

  private final Index index;
  private final KeyLocks locks;
  private final VolumeHealth health;
  private final CurrentPlacement current;
  private final KeyMover mover;
  private final LeavingReaper reaper;

  OverwriteSettler(
      Index index,
      KeyLocks locks,
      VolumeHealth health,
      CurrentPlacement current,
      KeyMover mover,
      LeavingReaper reaper) {
    this.index = index;
    this.locks = locks;
    this.health = health;
    this.current = current;
    this.mover = mover;
    this.reaper = reaper;
  }

  /** Settles {@code key} after the grace, retrying until done. */
  void settle(String key) {
    settle(key, reaper.grace().toMillis(), 1000);
  }

  private void settle(String key, long delayMillis, long backoffMillis) {
    reaper.schedule(
        () -> {
          long retry = -1;
          KeyLocks.Held held = locks.tryTakeForMove(key);
          if (held == null) {
            retry = 50; // a write or delete of it is under way: try once it is done
          } else {
            try (held) {
              retry = settleNow(key) ? -1 : backoffMillis;
            } catch (IOException | RuntimeException e) {
              LOG.warning(
                  "key " + key + ": overwrite not settled yet (" + e.getMessage() + "); retrying");
              retry = backoffMillis;
            }
          }
          if (retry >= 0) {
            settle(key, retry, Math.min(RETRY_MAX_MILLIS, backoffMillis * 2));
          }
        },
        delayMillis);
  }

  /** Under the key's move lock; false when a volume it needs is down (try later). */
  private boolean settleNow(String key) throws IOException {
    Record record = index.get(key);
    if (record == null
        || record.state() == Record.State.PENDING
        || record.state() == Record.State.DELETING) {
      return true; // deleted meanwhile, or in the hands of a write or delete
    }
    if (record.replicas().stream().anyMatch(Placement::isStaged)) {
      Placement target = current.effective();
      List<String> want = target.replicasFor(key);
      if (health.blocking(record, want) != null) {
        return false;
      }
      Record moved =
          mover.copy(key, record, want, target.fingerprint(), health.reachableOf(record.holders()));
      index.put(key, moved, false);
      if (!moved.leaving().isEmpty()) {
        reaper.drop(key);
      }
    } else if (record.leaving().stream().anyMatch(Placement::isStaged)) {
      Record dropped = mover.dropLeaving(key, record, health::reachable);
      index.put(key, dropped, false);
      return dropped.leaving().stream().noneMatch(Placement::isStaged);
    }
    return true;
  }
}
