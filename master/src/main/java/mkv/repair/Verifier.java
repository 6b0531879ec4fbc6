package mkv.repair;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import mkv.client.AutoindexEntry;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.VolumeWalker;
import mkv.client.Written;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.work.Pool;
import okhttp3.Response;

/**
 * Checks the index against the volumes and, with repair on, fixes what it can: copies missing or
 * corrupt replicas from a good one, deletes orphan files older than the grace period, resolves
 * stale pending writes and finishes deletes that failed half way. Misplaced keys are reported for
 * rebalance to move.
 *
 * <p>Run offline by {@code ./mkv verify} on an index no master holds, or by a master on its own
 * index, where {@link KeyGuard} keeps repairs from racing the master's writes. Two passes, each
 * streamed through a bounded pool, so memory does not grow with the number of keys: the index
 * (every record's replicas), then the volumes (every file's record).
 */
public final class Verifier {
  private static final int MAX_REPORTED = 1000;

  /**
   * @param grace files and pending writes younger than this are left alone: writes in flight
   * @param md5 read every replica to compare its md5 (else sizes only)
   */
  public record Options(boolean repair, Duration grace, boolean md5, int workers) {}

  /** Hears how far a run is: each pass as it begins, then one step per record or folder done. */
  public interface Listener {
    /** A pass begins over {@code total} units ({@code unit}: "records", "folders"). */
    void pass(String name, String unit, long total);

    /** One unit done. */
    void step();

    /** For callers that show no progress. */
    Listener NONE =
        new Listener() {
          @Override
          public void pass(String name, String unit, long total) {}

          @Override
          public void step() {}
        };
  }

  /** Keeps a repair from racing a write of the same key. */
  @FunctionalInterface
  public interface KeyGuard {
    /** Takes {@code key}; null when a write holds it (the key is skipped this run). */
    AutoCloseable tryTake(String key);

    /** For an index no server uses. */
    KeyGuard NONE = key -> () -> {};
  }

  private final Index index;
  private final VolumeClient client;
  private final Placement placement;
  private final Options options;
  private final KeyGuard guard;
  private final Consumer<String> out;
  private final Listener listener;
  private final PendingResolver pending;
  private final Map<Problem, LongAdder> found = new EnumMap<>(Problem.class);
  private final LongAdder repaired = new LongAdder();
  private final LongAdder records = new LongAdder();
  private final LongAdder files = new LongAdder();
  private final LongAdder reported = new LongAdder();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();

  /**
   * @param out receives one line per problem found (the first thousand) and what was done about it
   */
  public Verifier(
      Index index,
      VolumeClient client,
      Placement placement,
      Options options,
      KeyGuard guard,
      Consumer<String> out,
      Listener listener) {
    this.index = index;
    this.client = client;
    this.placement = placement;
    this.options = options;
    this.guard = guard;
    this.out = out;
    this.listener = listener;
    this.pending = new PendingResolver(index, client);
    for (Problem p : Problem.values()) {
      found.put(p, new LongAdder());
    }
  }

  /** What a run found and fixed. */
  public record Report(long records, long files, Map<Problem, Long> found, long repaired) {
    /** Problems found and not repaired. */
    public long remaining() {
      return found.values().stream().mapToLong(Long::longValue).sum() - repaired;
    }

    public String summary() {
      StringBuilder sb = new StringBuilder("verify: " + records + " records, " + files + " files;");
      found.forEach(
          (p, n) -> {
            if (n > 0) {
              sb.append(' ')
                  .append(p.name().toLowerCase(java.util.Locale.ROOT))
                  .append(' ')
                  .append(n)
                  .append(',');
            }
          });
      sb.append(" repaired ").append(repaired).append("; ");
      sb.append(remaining() == 0 ? "clean" : remaining() + " problems remain");
      return sb.toString();
    }
  }

  /** Runs both passes. */
  public Report run() throws InterruptedException {
    listener.pass("verify: index", "records", countRecords());
    try (Pool pool = new Pool("verify", options.workers());
        Index.Scan scan = index.scan("", null)) {
      while (scan.hasNext()) {
        Index.Entry e = scan.next();
        pool.submit(
            () -> {
              checkRecord(e.key(), e.record());
              listener.step();
            });
      }
      pool.finish();
    }
    VolumeWalker walker = new VolumeWalker(client);
    List<VolumeWalker.Shard> shards = new ArrayList<>();
    for (String server : placement.volumes()) {
      try {
        shards.addAll(walker.shards(server, true));
      } catch (VolumeException e) {
        unreachable(server, e);
      }
    }
    listener.pass("verify: volumes", "folders", shards.size());
    try (Pool pool = new Pool("verify", options.workers())) {
      for (VolumeWalker.Shard shard : shards) {
        pool.submit(
            () -> {
              try {
                walker.walk(shard, (replica, key, file) -> checkFile(replica, key, file));
              } catch (VolumeException e) {
                unreachable(shard.server(), e);
              }
              listener.step();
            });
      }
      pool.finish();
    }
    Map<Problem, Long> counts = new EnumMap<>(Problem.class);
    found.forEach((p, n) -> counts.put(p, n.sum()));
    return new Report(records.sum(), files.sum(), counts, repaired.sum());
  }

  private long countRecords() {
    long n = 0;
    try (Index.Scan scan = index.scan("", null)) {
      for (; scan.hasNext(); scan.next()) {
        n++;
      }
    }
    return n;
  }

  private void checkRecord(String key, Record record) {
    records.increment();
    if (record.state() == Record.State.PENDING) {
      if (olderThanGrace(record.created())) {
        problem(
            Problem.STALE_PENDING,
            key,
            "write unfinished since " + Instant.ofEpochMilli(record.created()));
        if (options.repair()) {
          withKey(
              key,
              record,
              current -> {
                PendingResolver.Outcome outcome = pending.resolve(key, current);
                if (outcome != PendingResolver.Outcome.RETRY_LATER) {
                  fixed(
                      key,
                      "pending write "
                          + outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                }
              });
        }
      }
      return;
    }
    if (record.state() == Record.State.DELETING) {
      problem(Problem.UNFINISHED_DELETE, key, "a DELETE failed half way on " + record.replicas());
      if (options.repair()) {
        withKey(
            key,
            record,
            current -> {
              if (client.deleteAll(current.replicas(), KeyPath.of(key)).isEmpty()) {
                index.delete(key, true);
                fixed(key, "delete finished");
              }
            });
      }
      return;
    }
    if (!placement.isBalanced(key, record.replicas())) {
      problem(
          Problem.MISPLACED,
          key,
          "on " + record.replicas() + ", placement says " + placement.replicasFor(key));
    }
    String path = KeyPath.of(key);
    List<String> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (String replica : record.replicas()) {
      if (unreachable.contains(Placement.server(replica))) {
        continue;
      }
      try {
        Trouble trouble =
            record.missing().contains(replica)
                ? new Trouble(Problem.MISSING, "recorded as missing")
                : check(replica, path, record);
        if (trouble == null) {
          good.add(replica);
        } else {
          bad.add(replica);
          problem(trouble.kind(), key, replica + ": " + trouble.detail());
        }
      } catch (VolumeException e) {
        unreachable(Placement.server(replica), e);
      }
    }
    if (bad.isEmpty()) {
      return;
    }
    if (good.isEmpty()) {
      problem(Problem.UNRECOVERABLE, key, "no replica holds a good copy");
      return;
    }
    if (options.repair()) {
      withKey(key, record, current -> copy(key, current, good.get(0), bad));
    }
  }

  /** What is wrong with one replica's copy. */
  private record Trouble(Problem kind, String detail) {}

  /** Why a replica's copy is not good, or null when it is. */
  private Trouble check(String replica, String path, Record record) throws VolumeException {
    long size = client.size(replica, path);
    if (size < 0) {
      return new Trouble(Problem.MISSING, "missing");
    }
    if (record.size() >= 0 && size != record.size()) {
      return new Trouble(Problem.CORRUPT, "size " + size + ", record says " + record.size());
    }
    if (options.md5() && record.md5() != null) {
      String md5 = client.md5(replica, path);
      if (!record.md5().equals(md5)) {
        return new Trouble(Problem.CORRUPT, "md5 " + md5 + ", record says " + record.md5());
      }
    }
    return null;
  }

  /**
   * Copies the value from a good replica over each bad one, then clears them from the record's
   * missing list.
   */
  private void copy(String key, Record record, String source, List<String> targets) {
    String path = KeyPath.of(key);
    try (Response r = client.open(source, path)) {
      if (r == null) {
        return; // vanished meanwhile: the next run sees it
      }
      long length = r.body().contentLength();
      Written w;
      try (InputStream in = r.body().byteStream()) {
        w = client.putAll(targets, path, in, length, true);
      }
      if (record.md5() != null && !record.md5().equals(w.md5())
          || record.size() >= 0 && record.size() != w.size()) {
        report(
            "  "
                + key
                + ": the copy from "
                + source
                + " does not match the record; left for a re-run");
        return;
      }
      if (!record.missing().isEmpty()) {
        List<String> stillMissing = new ArrayList<>(record.missing());
        stillMissing.removeAll(targets);
        index.put(key, record.withSize(w.size()).withMissing(stillMissing), true);
      }
      for (String t : targets) {
        fixed(key, "copied from " + source + " to " + t);
      }
    } catch (IOException e) {
      report("  " + key + ": repair failed: " + e.getMessage());
    }
  }

  private void checkFile(String replica, String key, AutoindexEntry file) {
    files.increment();
    Record record = index.get(key);
    if (record != null
        && (record.everyCopy().contains(replica) || record.state() == Record.State.PENDING)) {
      return; // checked in the index pass, a copy a move deletes, or a write in flight
    }
    if (!olderThanGrace(mtime(file))) {
      return; // may be a write in flight whose record is not committed yet
    }
    problem(Problem.ORPHAN, key, replica + " holds a copy no record claims");
    if (options.repair()) {
      try (AutoCloseable held = guard.tryTake(key)) {
        if (held == null) {
          return;
        }
        Record now = index.get(key);
        if (now == null || !now.everyCopy().contains(replica)) {
          client.delete(replica, KeyPath.of(key));
          fixed(key, "deleted orphan on " + replica);
        }
      } catch (Exception e) {
        report("  " + key + ": could not delete orphan on " + replica + ": " + e.getMessage());
      }
    }
  }

  /**
   * Runs {@code repair} holding the key, on the record as it is now, if it has not changed since it
   * was checked.
   */
  private void withKey(String key, Record checked, Consumer<Record> repair) {
    try (AutoCloseable held = guard.tryTake(key)) {
      if (held == null) {
        report("  " + key + ": a write holds it; skipped");
        return;
      }
      Record current = index.get(key);
      if (checked.equals(current)) {
        repair.accept(current);
      }
    } catch (Exception e) {
      report("  " + key + ": repair failed: " + e.getMessage());
    }
  }

  private void unreachable(String server, VolumeException e) {
    if (unreachable.add(server)) {
      problem(Problem.UNREACHABLE, server, e.getMessage());
    }
  }

  /**
   * Whether a time (epoch millis; 0 when unknown, which counts as old) is past the grace period.
   */
  private boolean olderThanGrace(long millis) {
    return System.currentTimeMillis() - millis >= options.grace().toMillis();
  }

  private static long mtime(AutoindexEntry file) {
    if (file.mtime() == null) {
      return 0; // unknown age
    }
    try {
      return ZonedDateTime.parse(file.mtime(), DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  private void problem(Problem kind, String key, String detail) {
    found.get(kind).increment();
    report(kind.name().toLowerCase(java.util.Locale.ROOT) + " " + key + ": " + detail);
  }

  private void fixed(String key, String what) {
    repaired.increment();
    report("  repaired " + key + ": " + what);
  }

  private void report(String line) {
    reported.increment();
    if (reported.sum() <= MAX_REPORTED) {
      out.accept(line);
    }
  }
}
