package mkv.index;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;

/**
 * A small cache of what readers derive from records (a GET's answer, say), kept coherent with every
 * write through the {@link Index}: an entry is served only while no write has touched its stripe of
 * keys since the entry was read from LevelDB.
 *
 * <p>Direct-mapped: one entry per slot, the last key read there wins. Missing keys are cached too
 * (the record passed to {@code derive} is then null), so a GET of a hot missing key skips LevelDB.
 */
public final class ReadCache<T> {
  private final Index index;
  private final BiFunction<String, Record, T> derive;
  private final AtomicReferenceArray<Entry<T>> slots = new AtomicReferenceArray<>(Index.STRIPES);
  private final java.util.concurrent.atomic.LongAdder hits =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder misses =
      new java.util.concurrent.atomic.LongAdder();

  private record Entry<T>(String key, long writes, T value) {}

  /**
   * @param derive what to cache for a key and its record (null when the key has no record)
   */
  public ReadCache(Index index, BiFunction<String, Record, T> derive) {
    this.index = index;
    this.derive = derive;
  }

  /** Lookups answered from the cache so far. */
  public long hits() {
    return hits.sum();
  }

  /** Lookups that read LevelDB so far. */
  public long misses() {
    return misses.sum();
  }

  /** What {@code derive} makes of the key's current record; LevelDB is read only on a miss. */
  public T get(String key) {
    int stripe = Index.stripe(key);
    // Read before LevelDB: a write that lands after this read bumps the count, so the entry
    // made from what LevelDB returned is never served once that write has returned.
    long writes = index.writes(stripe);
    Entry<T> e = slots.get(stripe);
    if (e != null && e.writes == writes && e.key.equals(key)) {
      hits.increment();
      return e.value;
    }
    misses.increment();
    T value = derive.apply(key, index.get(key));
    slots.set(stripe, new Entry<>(key, writes, value));
    return value;
  }
}
