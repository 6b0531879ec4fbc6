package mkv.testing;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What clients saw of each key, checked for linearizability: the acknowledged writes and deletes
 * and the reads of one key, each with the time it began and ended, must be explainable by one
 * sequential order that respects real time (Herlihy and Wing; the search is Wing and Gong's, with
 * memo). A write whose outcome the client does not know (a failure, a time-out) may have taken
 * effect at any time after it began, or never. Keys are independent registers: each is checked
 * alone, which keeps every search small.
 */
public final class History {
  /** What an operation did to its key. */
  public enum Kind {
    /** Made the value {@code value}. */
    WRITE,
    /** Made the key absent. */
    DELETE,
    /** Saw {@code value} (null: absent). */
    READ
  }

  /**
   * One operation of one client on one key, from {@code start} to {@code end} (nanoTime); {@code
   * known} false for a write or delete whose outcome the client did not learn.
   */
  public record Op(Kind kind, String value, long start, long end, boolean known) {}

  private final Map<String, List<Op>> byKey = new ConcurrentHashMap<>();

  public void add(String key, Op op) {
    byKey
        .computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
        .add(op);
  }

  /** An acknowledged write of {@code value} (an md5, say). */
  public void wrote(String key, String value, long start, long end) {
    add(key, new Op(Kind.WRITE, value, start, end, true));
  }

  /** A write the client got no answer for: it may or may not have happened. */
  public void mayHaveWritten(String key, String value, long start) {
    add(key, new Op(Kind.WRITE, value, start, Long.MAX_VALUE, false));
  }

  public void deleted(String key, long start, long end) {
    add(key, new Op(Kind.DELETE, null, start, end, true));
  }

  public void mayHaveDeleted(String key, long start) {
    add(key, new Op(Kind.DELETE, null, start, Long.MAX_VALUE, false));
  }

  /** A read that saw {@code value}, null for a 404. */
  public void read(String key, String value, long start, long end) {
    add(key, new Op(Kind.READ, value, start, end, true));
  }

  public int keys() {
    return byKey.size();
  }

  /** The keys whose history no sequential order explains, each with its operations. */
  public List<String> violations() {
    List<String> bad = new ArrayList<>();
    byKey.forEach(
        (key, ops) -> {
          List<Op> copy;
          synchronized (ops) {
            copy = List.copyOf(ops);
          }
          if (!linearizable(copy)) {
            bad.add(key + ": " + copy);
          }
        });
    return bad;
  }

  /** Whether one key's operations, starting from an absent key, have a legal sequential order. */
  static boolean linearizable(List<Op> ops) {
    if (ops.size() > 62) {
      throw new IllegalArgumentException("too many operations on one key to check: " + ops.size());
    }
    return search(ops, new BitSet(ops.size()), null, new HashSet<>());
  }

  private static boolean search(List<Op> ops, BitSet done, String value, Set<State> seen) {
    if (done.cardinality() == ops.size()) {
      return true;
    }
    if (!seen.add(new State((BitSet) done.clone(), value))) {
      return false;
    }
    // Every operation still to place must begin before the earliest end of those that must be
    // placed (the known ones): one that began after that end cannot come first.
    long firstEnd = Long.MAX_VALUE;
    boolean anyKnown = false;
    for (int i = 0; i < ops.size(); i++) {
      if (!done.get(i) && ops.get(i).known()) {
        firstEnd = Math.min(firstEnd, ops.get(i).end());
        anyKnown = true;
      }
    }
    if (!anyKnown) {
      return true; // only writes of unknown outcome left: they may never have happened
    }
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (done.get(i) || op.start() > firstEnd) {
        continue;
      }
      String next = value;
      switch (op.kind()) {
        case WRITE -> next = op.value();
        case DELETE -> next = null;
        case READ -> {
          if (!Objects.equals(op.value(), value)) {
            continue;
          }
        }
      }
      done.set(i);
      if (search(ops, done, next, seen)) {
        return true;
      }
      done.clear(i);
      if (!op.known()) {
        // it may never have happened at all
        done.set(i);
        if (search(ops, done, value, seen)) {
          return true;
        }
        done.clear(i);
      }
    }
    return false;
  }

  private record State(BitSet done, String value) {}
}
