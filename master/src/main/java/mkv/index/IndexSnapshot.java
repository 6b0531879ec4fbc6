package mkv.index;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * The whole index at one log position, as a stream: how a master that is new, wiped or too far
 * behind the log gets the leader's state (Raft's install-snapshot). Every LevelDB entry is copied
 * as it is (records, settings, counts, the unfinished list, the applied position), read from one
 * LevelDB snapshot, so the copy is consistent without stopping the writer.
 */
public final class IndexSnapshot {
  private static final int MAGIC = 0x6d6b7631; // "mkv1"
  private static final int BATCH = 10_000;

  private IndexSnapshot() {}

  /**
   * Writes {@code index} as it is now to {@code out}; returns the log position it is at.
   *
   * @throws IOException when {@code out} fails
   */
  public static LogPosition write(Index index, OutputStream out) throws IOException {
    DB db = index.db();
    try (Snapshot snapshot = db.getSnapshot();
        DBIterator it = db.iterator(new ReadOptions().snapshot(snapshot))) {
      byte[] applied = db.get(Index.metaKey(Index.APPLIED), new ReadOptions().snapshot(snapshot));
      LogPosition at =
          LogPosition.parse(
              applied == null
                  ? null
                  : new String(applied, java.nio.charset.StandardCharsets.UTF_8));
      DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
      data.writeInt(MAGIC);
      data.writeLong(at.term());
      data.writeLong(at.index());
      for (it.seekToFirst(); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> e = it.next();
        data.writeInt(e.getKey().length);
        data.write(e.getKey());
        data.writeInt(e.getValue().length);
        data.write(e.getValue());
      }
      data.writeInt(-1);
      data.flush();
      return at;
    }
  }

  /**
   * Replaces everything {@code index} holds with what {@link #write} wrote to {@code in}; returns
   * the log position the index is then at. Callers make sure nothing else writes meanwhile (the
   * Raft state machine is paused while it installs a snapshot).
   *
   * @throws IOException when {@code in} fails or holds no whole snapshot (the index is then empty
   *     and at position NONE, to be installed again)
   */
  public static LogPosition load(Index index, InputStream in) throws IOException {
    DB db = index.db();
    DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    if (data.readInt() != MAGIC) {
      throw new IOException("not an index snapshot");
    }
    LogPosition at = new LogPosition(data.readLong(), data.readLong());
    synchronized (index.writeLock()) {
      clear(db);
      index.reloaded(); // empty now: a failure below leaves it empty and at NONE
      WriteBatch batch = db.createWriteBatch();
      try {
        int n = 0;
        for (int keyLength; (keyLength = data.readInt()) >= 0; ) {
          byte[] key = data.readNBytes(keyLength);
          byte[] value = data.readNBytes(data.readInt());
          if (Index.isAppliedKey(key)) {
            continue; // written last, once everything else is in
          }
          batch.put(key, value);
          if (++n % BATCH == 0) {
            db.write(batch, new WriteOptions().sync(false));
            batch.close();
            batch = db.createWriteBatch();
          }
        }
        batch.put(Index.metaKey(Index.APPLIED), Index.bytes(at.toString()));
        db.write(batch, new WriteOptions().sync(true));
      } finally {
        batch.close();
      }
      index.reloaded();
    }
    return at;
  }

  private static void clear(DB db) throws IOException {
    WriteBatch batch = db.createWriteBatch();
    try (DBIterator it = db.iterator()) {
      int n = 0;
      for (it.seekToFirst(); it.hasNext(); ) {
        batch.delete(it.next().getKey());
        if (++n % BATCH == 0) {
          db.write(batch);
          batch.close();
          batch = db.createWriteBatch();
        }
      }
      db.write(batch);
    } finally {
      batch.close();
    }
  }
}
