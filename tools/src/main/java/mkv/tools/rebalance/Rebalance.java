package mkv.tools.rebalance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import mkv.client.SourceException;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.Written;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.tools.Progress;
import mkv.tools.Summary;
import mkv.work.Pool;
import okhttp3.Response;

/**
 * Moves values to where a new set of volumes places them, keeping every record's state and md5.
 *
 * <p>Per key, in an order that makes a kill at any moment safe and a re-run finish the job:
 * <ol>
 *   <li>stream the value from a holder to the replicas that lack it, and check what arrived (size,
 *       and md5 when the record has one); a failed copy is removed and the record is untouched;
 *   <li>durably record the new replicas first, then the old holders still to be removed;
 *   <li>delete the old copies, then record only the new replicas.
 * </ol>
 * A copy made but not yet recorded is overwritten by the re-run; an old copy not yet deleted is
 * still in the record, so the re-run deletes it. PENDING records are skipped: a master resolves them.
 */
public final class Rebalance {
  private static final Logger LOG = Logger.getLogger(Rebalance.class.getName());
  private static final int REPORTED_FAILURES = 20;

  private final RebalanceConfig config;
  private final Placement placement;
  private final VolumeClient client;

  private final LongAdder moved = new LongAdder();
  private final LongAdder movedBytes = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  /**
   * What a rebalance did, or with dry run would do.
   *
   * @param scanned     records in the index
   * @param toMove      records not where the new placement puts them (PENDING ones excluded)
   * @param toMoveBytes their bytes, as recorded
   * @param unknownSize of those, records with no size (adopted from minikeyvalue), not in the bytes
   * @param moved       records moved (with dry run, 0)
   * @param pending     PENDING records skipped
   * @param failed      records that could not be moved; each stays readable where it was
   * @param failures    the first few failures, {@code key: reason}
   */
  public record Result(long scanned, long toMove, long toMoveBytes, long unknownSize, long moved, long movedBytes,
      long pending, long failed, List<String> failures, boolean dryRun, Duration elapsed) {
    public boolean ok() {
      return failed == 0;
    }

    public String summary() {
      if (dryRun) {
        return "rebalance (dry run): would move " + toMove + " of " + scanned + " keys, " + Summary.bytes(toMoveBytes)
            + (unknownSize > 0 ? " (+" + unknownSize + " keys of unknown size)" : "") + "; " + pending
            + " PENDING skipped";
      }
      return "rebalance: scanned " + scanned + ", moved " + moved + " (" + Summary.bytes(movedBytes) + "), in place "
          + (scanned - toMove - pending) + ", skipped " + pending + " PENDING, failed " + failed + ", in "
          + Summary.duration(elapsed) + " (" + Summary.rate(moved, elapsed) + " keys/s)";
    }
  }

  public Rebalance(RebalanceConfig config, VolumeClient client) {
    this.config = config;
    this.placement = config.placement();
    this.client = client;
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
          if (e.record().state() == Record.State.PENDING || e.record().state() == Record.State.DELETING) {
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
        LOG.info(pending + " PENDING or DELETING records skipped: unfinished writes (a master resolves them when it"
            + " starts) and deletes (a retried DELETE or verify --repair finishes them)");
      }
      if (!config.dryRun() && toMove > 0) {
        move(index, toMove);
      }
      return new Result(scanned, toMove, toMoveBytes, unknownSize, moved.sum(), movedBytes.sum(), pending,
          failed.sum(), List.copyOf(failures), config.dryRun(), Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private boolean inPlace(String key, Record record) {
    return record.missing().isEmpty() && placement.isBalanced(key, record.replicas());
  }

  private void move(Index index, long total) throws InterruptedException {
    try (Progress progress = Progress.start("rebalance", "keys", total, config.progressBar(), config.progressEvery());
        Pool pool = new Pool("rebalance", config.workers());
        Index.Scan scan = index.scan("", null)) {
      // The scan reads a snapshot: the workers' writes to the index do not disturb it.
      while (scan.hasNext()) {
        Index.Entry e = scan.next();
        if (e.record().state() == Record.State.PENDING || e.record().state() == Record.State.DELETING
            || inPlace(e.key(), e.record())) {
          continue;
        }
        pool.submit(() -> {
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
    List<String> want = placement.replicasFor(key);
    List<String> holders = record.holders();
    String path = KeyPath.of(key);
    List<String> targets = minus(want, holders);
    Record current = record;
    if (!targets.isEmpty()) {
      Written written = copy(key, path, holders, targets, record);
      // Durable before any delete: from here the new copies are what keeps the value.
      List<String> all = new ArrayList<>(want);
      all.addAll(minus(holders, want));
      current = new Record(record.state(), all, written.size(), record.md5() != null ? record.md5() : written.md5(),
          record.created(), List.of());
      index.put(key, current, true);
    }
    List<String> stale = minus(current.replicas(), want);
    List<String> left = new ArrayList<>();
    String firstFailure = null;
    for (VolumeException e : client.deleteAll(stale, path)) {
      left.add(e.volume());
      firstFailure = firstFailure == null ? e.getMessage() : firstFailure;
    }
    List<String> replicas = new ArrayList<>(want);
    replicas.addAll(left);
    if (!current.replicas().equals(replicas) || !current.missing().isEmpty()) {
      // Not synced: losing this write (only a machine crash can) leaves deleted copies listed, which
      // the re-run deletes again (a 404 counts as deleted) and drops.
      index.put(key, new Record(current.state(), replicas, current.size(), current.md5(), current.created(),
          List.of(), left.isEmpty() ? placement.fingerprint() : null), false);
    }
    if (!left.isEmpty()) {
      throw new IOException("moved, but the old copy on " + left + " could not be deleted (" + firstFailure
          + "); it stays listed, re-run to delete it");
    }
  }

  /** Streams the value from the first holder that serves it intact to every target; checks the result. */
  private Written copy(String key, String path, List<String> holders, List<String> targets, Record record)
      throws IOException {
    if (holders.isEmpty()) {
      throw new IOException("no replica holds it");
    }
    List<String> problems = new ArrayList<>();
    for (String source : holders) {
      Response response;
      try {
        response = client.open(source, path);
      } catch (VolumeException e) {
        problems.add(e.getMessage());
        continue;
      }
      if (response == null) {
        problems.add("replica " + source + ": 404 on GET");
        continue;
      }
      try (response) {
        long length = response.body().contentLength();
        if (record.size() >= 0 && length >= 0 && length != record.size()) {
          problems.add("replica " + source + ": holds " + length + " bytes, the record says " + record.size());
          continue;
        }
        Written written;
        try {
          written = client.putAll(targets, path, response.body().byteStream(), length, true);
        } catch (SourceException e) {
          removeCopies(key, targets);
          problems.add("replica " + source + ": read failed: " + e.getMessage());
          continue;
        } catch (VolumeException e) {
          // The failed target acknowledged nothing; a copy it may still have made is an orphan for verify.
          removeCopies(key, minus(targets, List.of(e.volume())));
          throw new IOException("copy to " + e.volume() + " failed: " + e.getMessage(), e);
        }
        String bad = check(record, written);
        if (bad != null) {
          removeCopies(key, targets);
          problems.add("replica " + source + ": " + bad);
          continue;
        }
        for (String target : targets) {
          long size = client.size(target, path);
          if (size != written.size()) {
            removeCopies(key, targets);
            throw new IOException("replica " + target + ": holds " + size + " bytes after the copy, expected "
                + written.size());
          }
        }
        return written;
      }
    }
    throw new IOException("no replica could be read intact: " + String.join("; ", problems));
  }

  private static String check(Record record, Written written) {
    if (record.size() >= 0 && written.size() != record.size()) {
      return "copied " + written.size() + " bytes, the record says " + record.size();
    }
    if (record.md5() != null && !record.md5().equals(written.md5())) {
      return "md5 " + written.md5() + " differs from the record's " + record.md5();
    }
    return null;
  }

  /** Removes copies a failed move made; none of the targets is a holder, so nothing is lost. */
  private void removeCopies(String key, List<String> targets) {
    for (VolumeException e : client.deleteAll(targets, KeyPath.of(key))) {
      LOG.warning("key " + key + ": could not remove the copy a failed move left, an orphan: " + e.getMessage());
    }
  }

  private static List<String> minus(List<String> a, List<String> b) {
    HashSet<String> drop = new HashSet<>(b);
    return a.stream().filter(x -> !drop.contains(x)).toList();
  }
}
