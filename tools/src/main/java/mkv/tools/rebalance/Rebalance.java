package mkv.tools.rebalance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.index.Record;
import mkv.layout.Placement;
import mkv.move.KeyMover;
import mkv.move.Throttle;
import mkv.tools.Progress;
import mkv.tools.Summary;
import mkv.work.Pool;

/**
 * Moves values to where a new set of volumes places them, keeping every record's state and md5.
 *
 * <p>Each key moves with a {@link KeyMover}: copied and checked, recorded durably with its old
 * copies leaving, which are then deleted; a kill at any moment is safe and a re-run finishes the
 * job. PENDING records are skipped: a master resolves them. At the end the index stores the new
 * placement, which the master started on it must then run.
 */
public final class Rebalance {
  private static final Logger LOG = Logger.getLogger(Rebalance.class.getName());
  private static final int REPORTED_FAILURES = 20;

  private final RebalanceConfig config;
  private final Placement placement;
  private final KeyMover mover;

  private final LongAdder moved = new LongAdder();
  private final LongAdder movedBytes = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  /**
   * What a rebalance did, or with dry run would do.
   *
   * @param scanned records in the index
   * @param toMove records not where the new placement puts them (unfinished ones excluded)
   * @param toMoveBytes their bytes, as recorded
   * @param unknownSize of those, records with no size (adopted from minikeyvalue), not in the bytes
   * @param moved records moved (with dry run, 0)
   * @param pending unfinished records skipped: PENDING (writes) and DELETING (deletes)
   * @param failed records that could not be moved; each stays readable where it was
   * @param failures the first few failures, {@code key: reason}
   */
  public record Result(
      long scanned,
      long toMove,
      long toMoveBytes,
      long unknownSize,
      long moved,
      long movedBytes,
      long pending,
      long failed,
      List<String> failures,
      boolean dryRun,
      Duration elapsed) {
    public boolean ok() {
      return failed == 0;
    }

    public String summary() {
      if (dryRun) {
        return "rebalance (dry run): would move "
            + toMove
            + " of "
            + scanned
            + " keys, "
            + Summary.bytes(toMoveBytes)
            + (unknownSize > 0 ? " (+" + unknownSize + " keys of unknown size)" : "")
            + "; "
            + pending
            + " unfinished (PENDING or DELETING) skipped";
      }
      return "rebalance: scanned "
          + scanned
          + ", moved "
          + moved
          + " ("
          + Summary.bytes(movedBytes)
          + "), in place "
          + (scanned - toMove - pending)
          + ", skipped "
          + pending
          + " unfinished (PENDING or DELETING), failed "
          + failed
          + ", in "
          + Summary.duration(elapsed)
          + " ("
          + Summary.rate(moved, elapsed)
          + " keys/s)";
    }
  }

  public Rebalance(RebalanceConfig config, VolumeClient client) {
    this.config = config;
    this.placement = config.placement();
    this.mover = new KeyMover(client, Throttle.of(config.rate()));
  }

  /**
   * Plans (one pass over the index) and, unless dry run, moves.
   *
   * @throws mkv.index.IndexLockedException when a master or tool holds the index
   */
  public Result run() throws IOException, InterruptedException {
    long started = System.nanoTime();
    try (Index index = Index.open(config.db())) {
      long scanned = 0;
      long toMove = 0;
      long toMoveBytes = 0;
      long unknownSize = 0;
      long pending = 0;
      try (Index.Scan scan = index.scan("", null)) {
        while (scan.hasNext()) {
          Index.Entry e = scan.next();
          scanned++;
          if (e.record().state() == Record.State.PENDING
              || e.record().state() == Record.State.DELETING) {
            pending++;
          } else if (!inPlace(e.key(), e.record())) {
            toMove++;
            if (e.record().size() < 0) {
              unknownSize++;
            } else {
              toMoveBytes += e.record().size();
            }
          }
        }
      }
      if (pending > 0) {
        LOG.info(
            pending
                + " PENDING or DELETING records skipped: unfinished writes (a master resolves them"
                + " when it starts) and deletes (a retried DELETE or verify --repair finishes"
                + " them)");
      }
      if (!config.dryRun()) {
        if (toMove > 0) {
          move(index, toMove);
        }
        // The master started on this index must now run this placement (and no move is left to
        // resume).
        PlacementRecord.store(index, placement);
      }
      return new Result(
          scanned,
          toMove,
          toMoveBytes,
          unknownSize,
          moved.sum(),
          movedBytes.sum(),
          pending,
          failed.sum(),
          List.copyOf(failures),
          config.dryRun(),
          Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private boolean inPlace(String key, Record record) {
    return KeyMover.inPlace(record, placement.replicasFor(key));
  }

  private void move(Index index, long total) throws InterruptedException {
    try (Progress progress =
            Progress.start(
                "rebalance", "keys", total, config.progressBar(), config.progressEvery());
        Pool pool = new Pool("rebalance", config.workers());
        Index.Scan scan = index.scan("", null)) {
      // The scan reads a snapshot: the workers' writes to the index do not disturb it.
      while (scan.hasNext()) {
        Index.Entry e = scan.next();
        if (e.record().state() == Record.State.PENDING
            || e.record().state() == Record.State.DELETING
            || inPlace(e.key(), e.record())) {
          continue;
        }
        pool.submit(
            () -> {
              try {
                moveKey(index, e.key(), e.record());
                moved.increment();
                movedBytes.add(Math.max(0, e.record().size()));
              } catch (IOException | RuntimeException x) {
                failed.increment();
                String line = e.key() + ": " + x.getMessage();
                if (failures.size() < REPORTED_FAILURES) {
                  failures.add(line);
                }
                LOG.warning("could not move " + line);
              }
              progress.step(Math.max(0, e.record().size()));
            });
      }
      pool.finish();
    }
  }

  private void moveKey(Index index, String key, Record record) throws IOException {
    Record moved = mover.copy(key, record, placement.replicasFor(key), placement.fingerprint());
    // Durable before any delete: from here the new copies are what keeps the value.
    index.put(key, moved, true);
    if (moved.leaving().isEmpty()) {
      return;
    }
    // Not synced: losing this write (only a machine crash can) leaves deleted copies listed as
    // leaving, which the re-run deletes again (a 404 counts as deleted) and drops.
    Record after = mover.dropLeaving(key, moved);
    index.put(key, after, false);
    if (!after.leaving().isEmpty()) {
      throw new IOException(
          "moved, but the old copy on "
              + after.leaving()
              + " could not be deleted; it stays "
              + "listed, re-run to delete it");
    }
  }
}
