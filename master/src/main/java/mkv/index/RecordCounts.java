package mkv.index;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How many records the index holds in each state, kept exact by every write of the index (stored in
 * the same LevelDB batch as the record), so that nothing counts them by scanning.
 */
public final class RecordCounts {
  private final long[] counts = new long[Record.State.values().length];

  /** The number of records in {@code state}. */
  public synchronized long get(Record.State state) {
    return counts[state.ordinal()];
  }

  /** Counts a write that turns {@code was} into {@code now} (either may be null: absent). */
  synchronized void change(Record was, Record now) {
    if (was != null) {
      counts[was.state().ordinal()]--;
    }
    if (now != null) {
      counts[now.state().ordinal()]++;
    }
  }

  /** Counts one record more, during a full count. */
  synchronized void add(Record r) {
    counts[r.state().ordinal()]++;
  }

  /** The counts as stored: one number per state, in the order of {@link Record.State}. */
  synchronized String encode() {
    return Arrays.stream(counts).mapToObj(Long::toString).collect(Collectors.joining(" "));
  }

  /** Counts as stored by {@link #encode}; null when {@code stored} is null or malformed. */
  static RecordCounts decode(String stored) {
    if (stored == null) {
      return null;
    }
    String[] f = stored.split(" ");
    if (f.length != Record.State.values().length) {
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
