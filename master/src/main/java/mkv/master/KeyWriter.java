package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import mkv.client.VolumeException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.Placement;

/**
 * The steps every PUT shares, whichever way its body travels ({@link SmallPutHandler}, {@link
 * StreamedPutHandler}): the record written before any volume is touched, the replicas to write, the
 * LIVE record once they have the value, and what a failed write leaves to clean up.
 *
 * <p>Write ordering makes a crash at any point safe: the record is written PENDING (never served)
 * before any volume is touched, and turned LIVE only after every replica has the value as durably
 * as {@code --sync} asks; the 201 waits for the index flush that covers the LIVE record. A failed
 * write removes its copies and leaves its record PENDING (never served) for {@link PendingSweeper},
 * which removes the copies once more after a volume still finishing the write is done, then the
 * record. A write of a key being moved ({@link Rebalancer}) waits for the move.
 *
 * <p>An overwrite ({@code Mkv-Overwrite: 1} of a live key) never touches the copies being served:
 * the new value is written to a staging folder on the volumes ({@link Placement#staged}), noted as
 * leaving in the old record first (so a crash leaves it to be deleted, never served), and the
 * record then switches to the staged copies in one index write, the old copies now leaving. Readers
 * see the old value or the new one, whole, and the old stays on its volumes until the new one is as
 * durable as {@code --sync} says. {@link OverwriteSettler} then moves the value home, like any
 * move.
 */
final class KeyWriter {
  private static final Logger LOG = Logger.getLogger(KeyWriter.class.getName());

  private final Index index;
  private final CurrentPlacement placement;
  private final VolumeHealth health;
  private final PendingSweeper sweeper;
  private final OverwriteSettler settler;
  private final boolean md5;
  private final int minReplicas;

  KeyWriter(
      Index index,
      CurrentPlacement placement,
      VolumeHealth health,
      PendingSweeper sweeper,
      OverwriteSettler settler,
      boolean md5,
      int minReplicas) {
    this.index = index;
    this.placement = placement;
    this.health = health;
    this.sweeper = sweeper;
    this.settler = settler;
    this.md5 = md5;
    this.minReplicas = minReplicas;
  }

  /** Whether the master keeps md5s of values (unless {@code --no-md5}). */
  boolean keepsMd5() {
    return md5;
  }

  /**
   * A write under way: its key held, its PENDING record written (or, {@code staged}, the old record
   * kept with the staged copies leaving); it writes to {@code targets}.
   */
  record Write(
      PutRequest request,
      KeyLocks.Held held,
      Record old,
      List<String> replicas,
      List<String> targets,
      long created,
      String placement,
      boolean staged) {
    String key() {
      return request.key();
    }
  }

  /**
   * Starts a write under a key already held: a PENDING record, or for an overwrite of a live key
   * the old record with the staged copies noted as leaving. Releases the key if it throws.
   *
   * @throws HttpError 403 for a live key unless the request overwrites, 503 when too few of its
   *     replicas take writes
   */
  Write begin(PutRequest request, KeyLocks.Held held) {
    String key = request.key();
    try {
      Record old = index.get(key);
      boolean staged = old != null && old.isLive();
      if (staged && !request.overwrite()) {
        throw new HttpError(
            ErrorCode.KEY_EXISTS, "key exists: DELETE it (or UNLINK it) before writing it again");
      }
      return placement.beginWrite(
          () -> {
            Placement now = placement.effective();
            List<String> wanted = now.replicasFor(key);
            long created = System.currentTimeMillis();
            if (staged) {
              List<String> replicas = Placement.staged(wanted, old.replicas());
              List<String> targets = targets(replicas);
              // Not synced: if a crash loses it, the staged copies are orphans in a folder verify
              // walks.
              List<String> leaving = new ArrayList<>(old.leaving());
              replicas.stream().filter(r -> !leaving.contains(r)).forEach(leaving::add);
              index.put(key, old.withLeaving(leaving), false);
              return new Write(request, held, old, replicas, targets, created, null, true);
            }
            List<String> targets = targets(wanted);
            // Not synced: if a crash loses it, the copies it covered are orphans that no record
            // serves. Size and md5, when the client gave them, let a restart complete the write
            // instead of rolling back.
            Record pending =
                Record.pending(wanted, created)
                    .withSize(request.length())
                    .withMd5(request.expectedMd5())
                    .withMeta(request.meta());
            index.put(key, pending.placedBy(now.fingerprint()), false);
            return new Write(
                request, held, old, wanted, targets, created, now.fingerprint(), false);
          });
    } catch (RuntimeException e) {
      held.close();
      throw e;
    }
  }

  /**
   * The replicas a write goes to: those not believed down, which it skips (recording them as
   * missing) rather than wait for; throws a 503 at once when they cannot take the write by
   * themselves.
   */
  private List<String> targets(List<String> replicas) {
    List<String> up = replicas.stream().filter(health::writable).toList();
    if (up.size() < minReplicas) {
      List<String> out =
          replicas.stream()
              .filter(r -> !up.contains(r))
              .map(r -> Placement.server(r) + " (" + stateOf(r) + ")")
              .toList();
      throw new HttpError(
          ErrorCode.VOLUME_DOWN,
          (out.size() == 1
                  ? "volume " + out.get(0) + " takes"
                  : "volumes " + String.join(", ", out) + " take")
              + " no writes: a PUT needs "
              + minReplicas
              + " of the key's "
              + replicas.size()
              + " replicas up");
    }
    return up;
  }

  /** Whether enough targets took the value for the write to succeed. */
  boolean enough(Write w, List<VolumeException> failed) {
    return w.targets().size() - failed.size() >= minReplicas;
  }

  /**
   * Writes the LIVE record of a write every required replica took (unsynced: the caller waits for
   * the flush that covers it); the failed ones are named as missing.
   */
  void live(Write w, long size, String hexMd5, List<VolumeException> failed) {
    List<String> missing = new ArrayList<>();
    for (String skipped : w.replicas()) {
      if (!w.targets().contains(skipped)) {
        missing.add(skipped);
        LOG.warning(
            "PUT "
                + w.key()
                + " stored without "
                + skipped
                + " ("
                + stateOf(skipped)
                + ")"
                + ", to be repaired");
      }
    }
    for (VolumeException failure : failed) {
      health.failed(failure);
      missing.add(failure.volume());
      LOG.warning(
          "PUT "
              + w.key()
              + " stored without "
              + failure.volume()
              + ", to be repaired: "
              + failure.getMessage());
    }
    List<String> leaving = List.of();
    if (w.staged()) {
      // the old copies (and any still leaving from before) stop being served with this record
      List<String> old = new ArrayList<>(w.old().everyCopy());
      old.removeAll(w.replicas());
      leaving = old;
    }
    Record live =
        Record.live(w.replicas())
            .withSize(size)
            .withMd5(md5 ? hexMd5 : null)
            .withCreated(w.created())
            .withMissing(missing)
            .placedBy(w.placement())
            .withLeaving(leaving)
            .withMeta(w.request().meta());
    index.put(w.key(), live, false);
  }

  /**
   * After the LIVE record of an overwrite is on disk: the old copies go after a grace, the value
   * moves home.
   */
  void settle(Write w) {
    settler.settle(w.key());
  }

  /**
   * Clean-up after a failed write removed what copies it could ({@code leftovers} are the ones it
   * could not): an overwrite's old record is served again, a new key's record stays PENDING (never
   * served) until the sweeper has removed every copy once more, after a volume that was still
   * finishing the write is done.
   */
  void failed(Write w, List<VolumeException> leftovers) {
    if (w.staged()) {
      unstaged(w, leftovers);
      return;
    }
    sweeper.remember(w.key(), leftovers.isEmpty());
    if (!leftovers.isEmpty()) {
      LOG.warning(
          "PUT "
              + w.key()
              + " failed; a copy is removed when "
              + leftovers.get(0).volume()
              + " answers again: "
              + leftovers.get(0).getMessage());
    }
  }

  /**
   * A staged copy that could not be removed stays noted as leaving, for the settler to delete
   * later.
   */
  private void unstaged(Write w, List<VolumeException> leftovers) {
    if (leftovers.isEmpty()) {
      index.put(w.key(), w.old(), false);
    } else {
      LOG.warning(
          "overwrite of "
              + w.key()
              + " failed; a staged copy is removed when "
              + leftovers.get(0).volume()
              + " answers again: "
              + leftovers.get(0).getMessage());
      settler.settle(w.key());
    }
  }

  /**
   * Copies of the replaced (unlinked or abandoned) value on volumes the new placement does not use;
   * empty when nothing was replaced or the write was staged (the settler deletes those).
   */
  List<String> staleReplicas(Write w) {
    if (w.old() == null || w.staged()) {
      return List.of();
    }
    List<String> stale = new ArrayList<>(w.old().everyCopy());
    stale.removeAll(w.replicas());
    return stale;
  }

  /** Logs the stale copies a write could not remove: orphans for {@code verify --repair}. */
  static void staleNotRemoved(String key, List<VolumeException> failures) {
    for (VolumeException e : failures) {
      LOG.warning(
          "PUT "
              + key
              + ": could not remove the replaced copy, an orphan for verify --repair: "
              + e.getMessage());
    }
  }

  /** The 201 of a write, with the value's md5 when known (the S3 gateway's ETag). */
  static void created(HttpServerExchange exchange, String hexMd5) {
    exchange.setStatusCode(201);
    if (hexMd5 != null) {
      exchange.getResponseHeaders().put(Protocol.CONTENT_MD5, hexMd5);
    }
    exchange.endExchange();
  }

  private String stateOf(String replica) {
    return health.state(replica).name().toLowerCase(Locale.ROOT);
  }
}
