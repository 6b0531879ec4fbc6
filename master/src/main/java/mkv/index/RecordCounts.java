package mkv.index;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How many records the index holds in each state, kept exact by every write of the index (stored in
 * the same LevelDB batch as the records), so that nothing counts them by scanning.
 */
public final class RecordCounts {
  private static final int STATES = Record.State.values().length;

  private final long[] counts = new long[STATES];

  /** A change of the counts by one batch, not yet written. */
  static final class Delta {
    final long[] by = new long[STATES];

    /** Counts a write that turns {@code was} into {@code now} (either may be null: absent). */
    void change(Record was, Record now) {
      if (was != null) {
        by[was.state().ordinal()]--;
      }
      if (now != null) {
        by[now.state().ordinal()]++;
      }
    }

    boolean isEmpty() {
      return Arrays.stream(by).allMatch(n -> n == 0);
    }
  }

  /** The number of records in {@code state}. */
  public synchronized long get(Record.State state) {
    return counts[state.ordinal()];
  }

  /** Adds a written batch's change. */
  synchronized void add(Delta d) {
    for (int i = 0; i < STATES; i++) {
      counts[i] += d.by[i];
    }
  }

  /** The counts as they will be once {@code d} is added, as stored. */
  synchronized String encodeWith(Delta d) {
    long[] next = counts.clone();
    for (int i = 0; i < STATES; i++) {
      next[i] += d.by[i];
    }
    return encode(next);
  }

  /** The counts as stored: one number per state, in the order of {@link Record.State}. */
  synchronized String encode() {
    return encode(counts);
  }

  private static String encode(long[] c) {
    return Arrays.stream(c).mapToObj(Long::toString).collect(Collectors.joining(" "));
  }

  /** Counts as stored by {@link #encode}; null when {@code stored} is null or malformed. */
  static RecordCounts decode(String stored) {
    if (stored == null) {
      return null;
    }
    String[] f = stored.split(" ");
    if (f.length != STATES) {
      return null;
    }
    RecordCounts c = new RecordCounts();
    try {
      for (int i = 0; i < f.length; i++) {
        c.counts[i] = Long.parseLong(f[i]);
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return c;
  }
}
