package mkv.index;

/** A position in the masters' Raft log: the term and index of an entry. */
public record LogPosition(long term, long index) {
  /** Before the first entry. */
  public static final LogPosition NONE = new LogPosition(0, 0);

  /** Reads what {@link #toString} wrote; NONE for null. */
  static LogPosition parse(String stored) {
    if (stored == null) {
      return NONE;
    }
    String[] f = stored.split(" ");
    return new LogPosition(Long.parseLong(f[0]), Long.parseLong(f[1]));
  }

  @Override
  public String toString() {
    return term + " " + index;
  }
}
