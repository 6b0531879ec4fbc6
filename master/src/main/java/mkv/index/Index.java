package mkv.index;

import static org.fusesource.leveldbjni.JniDBFactory.factory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.logging.Logger;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * The key index: key bytes (UTF-8) to {@link Record}, in LevelDB. One process at a time holds it.
 *
 * <p>Two ways to make a write durable: {@code put(..., durable = true)}, LevelDB's synced write,
 * for callers that block anyway (tools, repairs); or an unsynced write followed by {@link #flush},
 * which covers every write that returned before it, so that one flush thread can serve any number
 * of writers ({@link mkv.sync.GroupCommit}) and no writer ever waits on a disk inside LevelDB.
 */
public final class Index implements Closeable {
  private static final Logger LOG = Logger.getLogger(Index.class.getName());
  private static final WriteOptions SYNC = new WriteOptions().sync(true);
  private static final WriteOptions NO_SYNC = new WriteOptions().sync(false);

  /**
   * Keys of the index's own settings ({@link #meta}): a NUL byte first, which no key of the store
   * (always {@code /...}) starts with, so scans skip them.
   */
  private static final String META = "\0mkv:";

  /** The setting that holds the {@link RecordCounts}, and when they were last counted in full. */
  static final String COUNTS = "counts";

  private static final String COUNTED_AT = "counted-at";

  /** The setting that holds the log position of the last command applied: "TERM INDEX". */
  private static final String APPLIED = "applied";

  /** The keys whose work is unfinished ({@link Record#isUnfinished}), each under this prefix. */
  private static final String UNFINISHED = META + "unfinished:";

  static final byte[] NOTHING = new byte[0];

  /** Held while the index is open, so a second process or tool is refused in one line. */
  static final String LOCK_FILE = "mkv.lock";

  /** Stripes of keys whose writes are counted, for {@link ReadCache}. */
  static final int STRIPES = 1 << 15;

  private final Path dir;
  private final FileLock held;
  private final DB db;
  private final Object flushing = new Object();
  // Held across reading a key's old record and writing the new one, so that the counts and the
  // unfinished list stored with each write stay exact.
  private final Object writing = new Object();
  private final RecordCounts counts;
  private final long countedAt;
  private volatile LogPosition applied; // written under `writing`
  // LevelDB's write-ahead logs by path, opened once each for flush(); guarded by `flushing`
  private final Map<Path, FileChannel> logs = new HashMap<>();
  // Writes that returned, per stripe of keys: a ReadCache entry is good while its stripe's count is
  // unchanged.
  private final AtomicLongArray writes = new AtomicLongArray(STRIPES);

  private Index(Path dir, FileLock held, DB db) {
    this.dir = dir;
    this.held = held;
    this.db = db;
    RecordCounts stored = RecordCounts.decode(meta(COUNTS));
    String at = meta(COUNTED_AT);
    if (stored == null || at == null) {
      // An index from a build before counts were kept (or minikeyvalue's): counted once, here.
      this.counts = countInFull();
      this.countedAt = System.currentTimeMillis();
      putMeta(COUNTED_AT, Long.toString(countedAt));
    } else {
      this.counts = stored;
      this.countedAt = Long.parseLong(at);
    }
    this.applied = LogPosition.parse(meta(APPLIED));
  }

  /**
   * Counts every record and lists the unfinished ones: one pass over the index, once in its life.
   */
  private RecordCounts countInFull() {
    LOG.info("counting the records of " + dir + " (once: later writes keep the count)");
    RecordCounts.Delta all = new RecordCounts.Delta();
    long n = 0;
    WriteBatch batch = db.createWriteBatch();
    try (Scan scan = scan("", null)) {
      while (scan.hasNext()) {
        Entry e = scan.next();
        all.change(null, e.record());
        if (e.record().isUnfinished()) {
          batch.put(unfinishedKey(e.key()), NOTHING);
        }
        if (++n % 10_000 == 0) {
          db.write(batch, NO_SYNC);
          close(batch);
          batch = db.createWriteBatch();
        }
      }
      RecordCounts c = new RecordCounts();
      c.add(all);
      batch.put(metaKey(COUNTS), bytes(c.encode()));
      db.write(batch, SYNC);
    } finally {
      close(batch);
    }
    LOG.info("counted " + n + " records in " + dir);
    RecordCounts c = new RecordCounts();
    c.add(all);
    return c;
  }

  private static void close(WriteBatch batch) {
    try {
      batch.close();
    } catch (IOException e) {
      throw new IllegalStateException("closing a LevelDB write batch", e);
    }
  }

  /**
   * Opens (creating if needed) the index in {@code dir}.
   *
   * @throws IndexLockedException when another process holds it
   */
  public static Index open(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileLock held = lock(dir);
    try {
      Options options = new Options().createIfMissing(true).cacheSize(64L << 20);
      DB db = factory.open(dir.toFile(), options);
      try {
        return new Index(dir, held, db);
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      held.channel().close();
      throw e;
    }
  }

  // Our own lock file, beside LevelDB's LOCK (which it would not tell apart from other errors but
  // by
  // message): a process or thread that holds it is told so; the lock goes with the process.
  private static FileLock lock(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held;
    try {
      held = channel.tryLock();
    } catch (OverlappingFileLockException thisProcess) {
      held = null;
    }
    if (held == null) {
      channel.close();
      throw new IndexLockedException(dir);
    }
    return held;
  }

  public Path dir() {
    return dir;
  }

  /** The record of {@code key}, or null. */
  public Record get(String key) {
    byte[] value = db.get(bytes(key));
    return value == null ? null : Record.decode(value);
  }

  /** A setting of the index itself (the placement, a move in progress), or null. */
  public String meta(String name) {
    byte[] value = db.get(metaKey(name));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** Stores (or with a null value, removes) a setting; returns once it is on disk. */
  public void putMeta(String name, String value) {
    if (value == null) {
      db.delete(metaKey(name), SYNC);
    } else {
      db.put(metaKey(name), bytes(value), SYNC);
    }
  }

  /**
   * Stores a record; with {@code durable}, returns only once it is on disk (survives a machine
   * crash).
   */
  public void put(String key, Record record, boolean durable) {
    write(key, record, durable);
  }

  /** Removes a record; with {@code durable}, returns only once that is on disk. */
  public void delete(String key, boolean durable) {
    write(key, null, durable);
  }

  private void write(String key, Record record, boolean durable) {
    try {
      synchronized (writing) {
        try (IndexBatch batch = new IndexBatch(db, counts)) {
          batch.record(key, get(key), record);
          batch.write(durable ? SYNC : NO_SYNC);
        }
      }
    } finally {
      writes.incrementAndGet(stripe(key));
    }
  }

  /**
   * What applying a command did: {@code conflict} is null when it was applied, else the key whose
   * record was not the one its writer read (nothing was then changed), with that record's version
   * ({@link IndexCommand#ABSENT} when it had none).
   */
  public record Outcome(long index, String conflict, long actual) {
    public boolean applied() {
      return conflict == null;
    }
  }

  /**
   * Applies the command at log position ({@code term}, {@code logIndex}): every change whose guard
   * holds, with each record written stamped with {@code logIndex} as its version, or none of them;
   * the position is stored in the same batch, so that replaying a log after a crash skips what was
   * applied, and every copy of the index holds the same records at the same position. Commands must
   * come in log order. Not synced: the log is the write-ahead log ({@link #flush} before the log is
   * purged).
   */
  public Outcome apply(IndexCommand command, long term, long logIndex) {
    synchronized (writing) {
      if (logIndex <= applied.index()) {
        return new Outcome(logIndex, null, 0); // applied before a restart: replayed
      }
      java.util.Map<String, Record> now = new HashMap<>(); // a command may change a key twice
      String conflict = null;
      long actual = 0;
      for (IndexCommand.Change c : command.changes()) {
        Record current = now.containsKey(c.key()) ? now.get(c.key()) : get(c.key());
        long version = current == null ? IndexCommand.ABSENT : current.version();
        if (c.expect() != IndexCommand.ANY && c.expect() != version) {
          conflict = c.key();
          actual = version;
          break;
        }
        now.put(c.key(), c.record() == null ? null : c.record().withVersion(logIndex));
      }
      try (IndexBatch batch = new IndexBatch(db, counts)) {
        if (conflict == null) {
          java.util.Map<String, Record> was = new HashMap<>();
          for (IndexCommand.Change c : command.changes()) {
            Record before = was.containsKey(c.key()) ? was.get(c.key()) : get(c.key());
            Record after = c.record() == null ? null : c.record().withVersion(logIndex);
            batch.record(c.key(), before, after);
            was.put(c.key(), after);
          }
          for (IndexCommand.Setting setting : command.settings()) {
            batch.setting(setting.name(), setting.value());
          }
        }
        LogPosition at = new LogPosition(term, logIndex);
        batch.setting(APPLIED, at.toString());
        batch.write(NO_SYNC);
        applied = at;
      } finally {
        if (conflict == null) {
          command.changes().forEach(c -> writes.incrementAndGet(stripe(c.key())));
        }
      }
      return new Outcome(logIndex, conflict, actual);
    }
  }

  /** The log position of the last command applied ({@link LogPosition#NONE} before any). */
  public LogPosition applied() {
    return applied;
  }

  /** The records in each state, exact. */
  public RecordCounts counts() {
    return counts;
  }

  /** When the records were last counted in full (epoch ms); every write has kept them since. */
  public long countedAt() {
    return countedAt;
  }

  /**
   * Calls {@code action} with every key whose work is unfinished ({@link Record#isUnfinished}), in
   * byte order: reads only those, however large the index.
   */
  public void forEachUnfinished(java.util.function.Consumer<String> action) {
    byte[] prefix = bytes(UNFINISHED);
    try (DBIterator it = db.iterator()) {
      for (it.seek(prefix); it.hasNext(); ) {
        byte[] k = it.next().getKey();
        if (!Scan.startsWith(k, prefix)) {
          break;
        }
        action.accept(
            new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("closing an index iterator", e);
    }
  }

  /**
   * Makes every write that returned before this call durable (it survives a machine crash), synced
   * or not. A LevelDB write is in its write-ahead log (a {@code NNNNNN.log} file, written through a
   * shared mapping) once {@code put} returns, so fsyncing every log covers it; the log of a
   * memtable being compacted is covered too, until LevelDB deletes it once its table file is
   * synced. A new log also needs its directory entry synced.
   *
   * @throws IOException when a file cannot be synced: the writes it covered may not be on disk
   */
  public void flush() throws IOException {
    synchronized (flushing) {
      Set<Path> current = new HashSet<>();
      try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, Index::isLog)) {
        found.forEach(current::add);
      }
      for (Iterator<Map.Entry<Path, FileChannel>> it = logs.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Path, FileChannel> e = it.next();
        if (!current.contains(e.getKey())) {
          e.getValue().close(); // deleted by LevelDB: its contents are in a synced table file
          it.remove();
        }
      }
      boolean added = false;
      for (Path log : current) {
        FileChannel channel = logs.get(log);
        if (channel == null) {
          try {
            channel = FileChannel.open(log, StandardOpenOption.READ);
          } catch (NoSuchFileException deletedSinceListed) {
            continue;
          }
          logs.put(log, channel);
          added = true;
        }
        channel.force(true);
      }
      if (added) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true);
        }
      }
    }
  }

  private static boolean isLog(Path p) {
    return p.getFileName().toString().endsWith(".log");
  }

  static int stripe(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  long writes(int stripe) {
    return writes.get(stripe);
  }

  /**
   * The records whose keys start with {@code prefix}, in byte order, from {@code start} (inclusive;
   * null or empty for the beginning of the prefix). Close the scan when done.
   */
  public Scan scan(String prefix, String start) {
    DBIterator it = db.iterator();
    byte[] from = bytes(prefix);
    if (start != null && Arrays.compareUnsigned(bytes(start), from) > 0) {
      from = bytes(start); // LevelDB orders keys by unsigned bytes, not by Java's UTF-16 compareTo
    }
    if (from.length == 0) {
      from = new byte[] {1}; // past the settings
    }
    it.seek(from);
    return new Scan(it, bytes(prefix));
  }

  @Override
  public void close() throws IOException {
    synchronized (flushing) {
      for (FileChannel c : logs.values()) {
        c.close();
      }
      logs.clear();
    }
    try {
      db.close();
    } finally {
      held.channel().close();
    }
  }

  static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] metaKey(String name) {
    return bytes(META + name);
  }

  static byte[] unfinishedKey(String key) {
    return bytes(UNFINISHED + key);
  }

  /** An open range of the index; an iterator of entries that must be closed. */
  public static final class Scan implements Iterator<Entry>, Closeable {
    private final DBIterator it;
    private final byte[] prefix;
    private Entry next;

    Scan(DBIterator it, byte[] prefix) {
      this.it = it;
      this.prefix = prefix;
    }

    @Override
    public boolean hasNext() {
      if (next == null && it.hasNext()) {
        Map.Entry<byte[], byte[]> e = it.peekNext();
        if (startsWith(e.getKey(), prefix)) {
          it.next();
          next =
              new Entry(
                  new String(e.getKey(), StandardCharsets.UTF_8), Record.decode(e.getValue()));
        }
      }
      return next != null;
    }

    @Override
    public Entry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Entry e = next;
      next = null;
      return e;
    }

    @Override
    public void close() {
      try {
        it.close();
      } catch (IOException e) {
        throw new IllegalStateException("closing an index iterator", e);
      }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
      return key.length >= prefix.length
          && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
  }

  /** One key and its record. */
  public record Entry(String key, Record record) {}
}
