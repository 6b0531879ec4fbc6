package mkv.tools.rebuild;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import mkv.client.AutoindexEntry;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.VolumeWalker;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.tools.Progress;
import mkv.tools.Summary;
import mkv.work.Pool;

/**
 * Recreates a lost index from what the volumes hold: one LIVE record per key, naming every replica
 * that has its file, ordered by placement (holders placement does not want come last).
 *
 * <p>Memory stays bounded whatever the key count: workers walk the volumes' folders in parallel and
 * merge each file found straight into the new LevelDB (read, add the holder, write back, under a
 * lock stripe of the key), so the index itself is the map of keys. A second pass over the new index
 * counts unbalanced keys and, with md5, reads every value once.
 *
 * <p>Volumes cannot tell an unlinked key from a live one: every key found comes back LIVE.
 */
public final class Rebuild {
  private static final Logger LOG = Logger.getLogger(Rebuild.class.getName());
  private static final int STRIPES = 1024;

  private final RebuildConfig config;
  private final Placement placement;
  private final VolumeClient client;
  private final VolumeWalker walker;
  private final Object[] stripes = new Object[STRIPES];

  private final LongAdder files = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder keys = new LongAdder();
  private final LongAdder strays = new LongAdder();
  private final LongAdder sizeConflicts = new LongAdder();
  private final LongAdder failedFolders = new LongAdder();
  private final LongAdder md5Failed = new LongAdder();

  /**
   * What a rebuild did.
   *
   * @param files key files found on the volumes (a key with 3 replicas counts 3)
   * @param keys records written
   * @param unbalanced keys not exactly where placement puts them
   * @param strays files that are not of the layout, ignored
   * @param sizeConflicts keys whose replicas list different sizes (the best-placed one's is kept)
   * @param failedFolders folders that could not be listed: the index may miss keys, re-run
   * @param md5Failed keys whose value could not be read for its md5 (left without one)
   * @param skipped volumes skipped as unreachable, with the reason
   */
  public record Result(
      long files,
      long bytes,
      long keys,
      long unbalanced,
      long strays,
      long sizeConflicts,
      long failedFolders,
      long md5Failed,
      List<String> skipped,
      Duration elapsed) {
    /**
     * Whether nothing failed; volumes skipped on request (reported in {@link #skipped}) do not
     * count.
     */
    public boolean ok() {
      return failedFolders == 0 && md5Failed == 0;
    }

    public String summary() {
      return "rebuild: "
          + keys
          + " keys from "
          + files
          + " files ("
          + Summary.bytes(bytes)
          + "), "
          + unbalanced
          + " unbalanced, "
          + strays
          + " stray files ignored, "
          + sizeConflicts
          + " size conflicts, "
          + failedFolders
          + " folders failed, "
          + md5Failed
          + " md5 failed, "
          + skipped.size()
          + " volumes skipped, in "
          + Summary.duration(elapsed)
          + " ("
          + Summary.rate(keys, elapsed)
          + " keys/s)";
    }
  }

  public Rebuild(RebuildConfig config, VolumeClient client) {
    this.config = config;
    this.placement = config.placement();
    this.client = client;
    this.walker = new VolumeWalker(client);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * Rebuilds into {@code config.db()}, which must hold no keys.
   *
   * @throws mkv.index.IndexLockedException when a master or tool holds the index
   * @throws IOException when the index is not empty, or a volume cannot be listed (without {@code
   *     skipUnreachable}); nothing is written to the index then
   */
  public Result run() throws IOException, InterruptedException {
    long started = System.nanoTime();
    try (Index index = Index.open(config.db())) {
      try (Index.Scan scan = index.scan("", null)) {
        if (scan.hasNext()) {
          throw new IOException(
              "index "
                  + config.db()
                  + " already holds keys; rebuild writes a new index: give it "
                  + "an empty or new directory");
        }
      }
      List<String> skipped = new ArrayList<>();
      List<VolumeWalker.Shard> shards = shards(skipped);
      walk(index, shards);
      long unbalanced = finish(index);
      PlacementRecord.store(
          index, placement); // the master started on this index runs this placement
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      return new Result(
          files.sum(),
          bytes.sum(),
          keys.sum(),
          unbalanced,
          strays.sum(),
          sizeConflicts.sum(),
          failedFolders.sum(),
          md5Failed.sum(),
          List.copyOf(skipped),
          elapsed);
    }
  }

  private List<VolumeWalker.Shard> shards(List<String> skipped) throws IOException {
    List<VolumeWalker.Shard> shards = new ArrayList<>();
    for (String volume : config.volumes()) {
      try {
        shards.addAll(walker.shards(volume));
      } catch (VolumeException e) {
        if (!config.skipUnreachable()) {
          throw new IOException(
              "volume "
                  + volume
                  + " cannot be listed ("
                  + e.getMessage()
                  + "); fix it, or pass --skip-unreachable to rebuild from the others",
              e);
        }
        skipped.add(volume + ": " + e.getMessage());
        LOG.warning("skipping volume " + volume + ", it cannot be listed: " + e.getMessage());
      }
    }
    if (skipped.size() == config.volumes().size()) {
      throw new IOException("no volume could be listed: " + skipped);
    }
    return shards;
  }

  private void walk(Index index, List<VolumeWalker.Shard> shards) throws InterruptedException {
    try (Progress progress =
            Progress.start(
                "rebuild: listing",
                "folders",
                shards.size(),
                config.progressBar(),
                config.progressEvery());
        Pool pool = new Pool("rebuild", config.workers())) {
      for (VolumeWalker.Shard shard : shards) {
        pool.submit(() -> progress.step(walk(index, shard)));
      }
      pool.finish();
    }
  }

  /** Walks one shard into the index; returns the bytes of the files found. */
  private long walk(Index index, VolumeWalker.Shard shard) {
    long[] found = {0};
    VolumeWalker.Sink sink =
        new VolumeWalker.Sink() {
          @Override
          public void key(String replica, String key, AutoindexEntry file) {
            long size = file.bytes();
            files.increment();
            found[0] += Math.max(0, size);
            merge(index, key, replica, size);
          }

          @Override
          public void stray(String url) {
            strays.increment();
            LOG.fine("not a key file, ignored: " + url);
          }
        };
    try {
      walker.walk(shard, sink);
    } catch (VolumeException e) {
      failedFolders.increment();
      LOG.warning(
          "could not list "
              + shard.replica()
              + shard.dir()
              + ", its keys may be missing: "
              + e.getMessage());
    }
    bytes.add(found[0]);
    return found[0];
  }

  // Keys arrive from every volume in any order: the index is the merge table.
  private void merge(Index index, String key, String replica, long size) {
    synchronized (stripes[(key.hashCode() & 0x7fffffff) % STRIPES]) {
      Record old = index.get(key);
      Record next;
      if (old == null) {
        keys.increment();
        next = Record.live(List.of(replica)).withSize(size);
      } else if (old.replicas().contains(replica)) {
        return;
      } else {
        List<String> holders = new ArrayList<>(old.replicas());
        holders.add(replica);
        List<String> ordered = byPlacement(key, holders);
        long keptSize = old.size();
        if (size != old.size()) {
          sizeConflicts.increment();
          LOG.warning(
              "key "
                  + key
                  + ": "
                  + replica
                  + " lists "
                  + size
                  + " bytes, "
                  + old.replicas()
                  + " "
                  + old.size()
                  + "; keeping the size of "
                  + ordered.get(0));
          keptSize = ordered.get(0).equals(replica) ? size : old.size();
        }
        next = Record.live(ordered).withSize(keptSize);
      }
      index.put(key, next, false);
    }
  }

  /** Holders placement wants, in its order, then the others in the order found. */
  private List<String> byPlacement(String key, List<String> holders) {
    List<String> want = placement.replicasFor(key);
    List<String> ordered = new ArrayList<>(holders);
    ordered.sort(
        Comparator.comparingInt(
            r -> {
              int i = want.indexOf(r);
              return i < 0 ? want.size() : i;
            }));
    return ordered;
  }

  /** Counts unbalanced keys, restores md5s if asked, and makes the new index durable. */
  private long finish(Index index) throws InterruptedException {
    AtomicLong unbalanced = new AtomicLong();
    String last = null;
    try (Progress progress =
            config.md5()
                ? Progress.start(
                    "rebuild: md5",
                    "keys",
                    keys.sum(),
                    config.progressBar(),
                    config.progressEvery())
                : null;
        Pool pool = new Pool("rebuild-md5", config.workers());
        Index.Scan scan = index.scan("", null)) {
      while (scan.hasNext()) {
        Index.Entry e = scan.next();
        last = e.key();
        if (!placement.isBalanced(e.key(), e.record().replicas())) {
          unbalanced.incrementAndGet();
        }
        if (progress != null) {
          pool.submit(
              () -> {
                restoreMd5(index, e.key(), e.record());
                progress.step(Math.max(0, e.record().size()));
              });
        }
      }
      pool.finish();
    }
    if (last != null) {
      // A synced write flushes LevelDB's log, and with it every record written before.
      index.put(last, index.get(last), true);
    }
    return unbalanced.get();
  }

  private void restoreMd5(Index index, String key, Record record) {
    String path = KeyPath.of(key);
    for (String replica : record.replicas()) {
      try {
        String md5 = client.md5(replica, path);
        if (md5 != null) {
          index.put(key, record.withMd5(md5), false);
          return;
        }
      } catch (VolumeException e) {
        LOG.warning(
            "key "
                + key
                + ": could not read it for its md5 from "
                + replica
                + ": "
                + e.getMessage());
      }
    }
    md5Failed.increment();
    LOG.warning("key " + key + ": no replica could be read for its md5; its record has none");
  }
}
