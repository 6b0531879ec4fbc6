package mkv.index;

import java.io.IOException;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * One LevelDB write of the index: records, with what they imply kept in the same batch (the counts
 * by state, the list of unfinished keys), and settings; so that no crash leaves them disagreeing
 * with the records. The counts in memory change only once the batch is written.
 */
final class IndexBatch implements AutoCloseable {
  private final DB db;
  private final RecordCounts counts;
  private final WriteBatch batch;
  private final RecordCounts.Delta delta = new RecordCounts.Delta();

  IndexBatch(DB db, RecordCounts counts) {
    this.db = db;
    this.counts = counts;
    this.batch = db.createWriteBatch();
  }

  /** Stages {@code key}'s record going from {@code was} to {@code now} (either null: none). */
  void record(String key, Record was, Record now) {
    byte[] k = Index.bytes(key);
    if (now == null) {
      batch.delete(k);
    } else {
      batch.put(k, now.encode());
    }
    boolean wasUnfinished = was != null && was.isUnfinished();
    boolean unfinished = now != null && now.isUnfinished();
    if (wasUnfinished != unfinished) {
      if (unfinished) {
        batch.put(Index.unfinishedKey(key), Index.NOTHING);
      } else {
        batch.delete(Index.unfinishedKey(key));
      }
    }
    delta.change(was, now);
  }

  /** Stages a setting (a null value removes it). */
  void setting(String name, String value) {
    if (value == null) {
      batch.delete(Index.metaKey(name));
    } else {
      batch.put(Index.metaKey(name), Index.bytes(value));
    }
  }

  /** Writes what was staged, with the counts it changed. */
  void write(WriteOptions options) {
    if (!delta.isEmpty()) {
      batch.put(Index.metaKey(Index.COUNTS), Index.bytes(counts.encodeWith(delta)));
    }
    db.write(batch, options);
    counts.add(delta);
  }

  @Override
  public void close() {
    try {
      batch.close();
    } catch (IOException e) {
      throw new IllegalStateException("closing a LevelDB write batch", e);
    }
  }
}
