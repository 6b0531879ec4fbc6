package mkv.index;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What the index knows of one key: its state, the replicas that hold it, its size and md5.
 *
 * <p>Stored as one line of text, {@code mkv1 STATE SIZE MD5 CREATED REPLICAS MISSING PLACEMENT
 * LEAVING META}, readable in a LevelDB dump (records without the last fields, from before they
 * existed, are read too; LEAVING and META are written only when there is something in them). Values
 * written by minikeyvalue ({@code [DELETED][HASHmd5]vol,vol}) are read too, so its index can be
 * adopted as it is.
 *
 * @param state whether the key is served
 * @param replicas where the value is (or, while pending, is being written): {@code
 *     host:port[/svXX]}
 * @param size the value's length in bytes, or -1 when unknown (adopted or rebuilt records); while
 *     PENDING, the length the client announced
 * @param md5 lowercase hex md5 of the value, or null when not computed; while PENDING, the md5 the
 *     client announced (Content-MD5), which lets a restart complete the write
 * @param created when the write began, in epoch milliseconds (0 when unknown)
 * @param missing replicas placement wants but that do not hold the value yet (to be repaired)
 * @param placement the {@link mkv.layout.Placement#fingerprint()} that chose {@code replicas}, or
 *     null when unknown: a GET whose master runs that placement knows the key is balanced without
 *     recomputing it
 * @param leaving replicas that still hold a copy but are no longer served: a move put the value
 *     elsewhere and deletes these once readers sent to them have had time to fetch it
 * @param meta what the writer asked to keep with the value ({@code Mkv-Meta}: the S3 gateway's
 *     Content-Type and user metadata), opaque printable ASCII without spaces, or null. Kept in the
 *     index only: a rebuild from the volumes cannot restore it
 * @param version changes with every write of the record (the Raft log index of the command that
 *     wrote it), so that a writer can make a change conditional on what it read; 0 when unknown
 *     (records from before versions, rebuilt or adopted ones)
 * @param expires when the key stops being served (epoch milliseconds), 0 for never
 */
public record Record(
    State state,
    List<String> replicas,
    long size,
    String md5,
    long created,
    List<String> missing,
    String placement,
    List<String> leaving,
    String meta,
    long version,
    long expires) {
  private static final String MAGIC = "mkv1";

  /** The life of a key. */
  public enum State {
    /** Being written (or left by a crash mid-write): never served, resolved on start-up. */
    PENDING('P'),
    /** Acknowledged and served. */
    LIVE('L'),
    /** Soft-deleted: not served, bytes kept, listed by {@code ?unlinked}. */
    UNLINKED('U'),
    /**
     * A delete that has not finished (some copies may be gone): not served, listed by {@code
     * ?unlinked}.
     */
    DELETING('D');

    final char code;

    State(char code) {
      this.code = code;
    }

    static State of(char code) {
      for (State s : values()) {
        if (s.code == code) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown record state " + code);
    }
  }

  public Record {
    replicas = List.copyOf(replicas);
    missing = List.copyOf(missing);
    leaving = List.copyOf(leaving);
    if (md5 != null && md5.length() != 32) {
      throw new IllegalArgumentException("md5 must be 32 hex digits: " + md5);
    }
    if (meta != null && !validMeta(meta)) {
      throw new IllegalArgumentException(
          "meta must be 1 to "
              + MAX_META
              + " printable ASCII characters without "
              + "spaces, and not '-'");
    }
  }

  /** The longest {@link #meta} kept. */
  public static final int MAX_META = 8192;

  /**
   * Whether {@code meta} can be kept: 1 to {@link #MAX_META} printable ASCII characters, no space,
   * not "-".
   */
  public static boolean validMeta(String meta) {
    if (meta.isEmpty() || meta.length() > MAX_META || meta.equals("-")) {
      return false;
    }
    for (int i = 0; i < meta.length(); i++) {
      char c = meta.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * A served record of a value on {@code replicas}, of unknown size, md5, age and placement (a
   * rebuilt or adopted key); the {@code with...} copies fill in what is known.
   */
  public static Record live(List<String> replicas) {
    return new Record(State.LIVE, replicas, -1, null, 0, List.of(), null, List.of(), null, 0, 0);
  }

  /** A record for a write about to begin, of unknown size and md5. */
  public static Record pending(List<String> replicas, long now) {
    return new Record(
        State.PENDING, replicas, -1, null, now, List.of(), null, List.of(), null, 0, 0);
  }

  public Record withState(State next) {
    return new Record(
        next, replicas, size, md5, created, missing, placement, leaving, meta, version, expires);
  }

  public Record withSize(long bytes) {
    return new Record(
        state, replicas, bytes, md5, created, missing, placement, leaving, meta, version, expires);
  }

  public Record withMd5(String hex) {
    return new Record(
        state, replicas, size, hex, created, missing, placement, leaving, meta, version, expires);
  }

  public Record withCreated(long millis) {
    return new Record(
        state, replicas, size, md5, millis, missing, placement, leaving, meta, version, expires);
  }

  public Record withMissing(List<String> notYetHolding) {
    return new Record(
        state,
        replicas,
        size,
        md5,
        created,
        notYetHolding,
        placement,
        leaving,
        meta,
        version,
        expires);
  }

  /** This record as placed by the placement with {@code fingerprint}. */
  public Record placedBy(String fingerprint) {
    return new Record(
        state, replicas, size, md5, created, missing, fingerprint, leaving, meta, version, expires);
  }

  /** This record with {@code meta} (null for none). */
  public Record withMeta(String next) {
    return new Record(
        state, replicas, size, md5, created, missing, placement, leaving, next, version, expires);
  }

  /** This record as written by the command at log index {@code logIndex}. */
  public Record withVersion(long logIndex) {
    return new Record(
        state, replicas, size, md5, created, missing, placement, leaving, meta, logIndex, expires);
  }

  /** This record served until {@code epochMillis} (0: for ever). */
  public Record withExpires(long epochMillis) {
    return new Record(
        state,
        replicas,
        size,
        md5,
        created,
        missing,
        placement,
        leaving,
        meta,
        version,
        epochMillis);
  }

  /** Whether the record has expired at {@code nowMillis}: it is then not served. */
  public boolean expiredAt(long nowMillis) {
    return expires != 0 && expires <= nowMillis;
  }

  /** This record with the copies on {@code next} leaving (no longer served, to be deleted). */
  public Record withLeaving(List<String> next) {
    return new Record(
        state, replicas, size, md5, created, missing, placement, next, meta, version, expires);
  }

  /**
   * This record served from {@code now} (all holding the value), placed by {@code fingerprint},
   * with the copies on {@code leaving} still to be deleted.
   */
  public Record movedTo(List<String> now, String fingerprint, List<String> leaving) {
    return new Record(
        state, now, size, md5, created, List.of(), fingerprint, leaving, meta, version, expires);
  }

  /** Every replica that may hold a copy: those served, those still to be filled, those leaving. */
  public List<String> everyCopy() {
    if (leaving.isEmpty()) {
      return replicas;
    }
    List<String> all = new java.util.ArrayList<>(replicas);
    leaving.stream().filter(r -> !replicas.contains(r)).forEach(all::add);
    return all;
  }

  public boolean isLive() {
    return state == State.LIVE;
  }

  /** Whether {@code ?unlinked} lists it: soft-deleted, or deleted half way. */
  public boolean isUnlinked() {
    return state == State.UNLINKED || state == State.DELETING;
  }

  /**
   * Whether work on the key is unfinished: a write or delete that has not ended (PENDING,
   * DELETING), or copies to move home or delete (staged or leaving). The index lists these keys
   * ({@link Index#forEachUnfinished}), so that a restarted master finds them without a scan.
   */
  public boolean isUnfinished() {
    return state == State.PENDING
        || state == State.DELETING
        || !leaving.isEmpty()
        || replicas.stream().anyMatch(mkv.layout.Placement::isStaged);
  }

  /** The replicas that hold the value: those listed less those still missing. */
  public List<String> holders() {
    return missing.isEmpty()
        ? replicas
        : replicas.stream().filter(r -> !missing.contains(r)).toList();
  }

  public byte[] encode() {
    String line =
        MAGIC
            + ' '
            + state.code
            + ' '
            + size
            + ' '
            + (md5 == null ? "-" : md5)
            + ' '
            + created
            + ' '
            + join(replicas)
            + ' '
            + join(missing)
            + ' '
            + (placement == null ? "-" : placement)
            // the optional fields, each written only when it or one after it holds something
            + (leaving.isEmpty() && meta == null && version == 0 && expires == 0
                ? ""
                : ' ' + join(leaving))
            + (meta == null && version == 0 && expires == 0
                ? ""
                : ' ' + (meta == null ? "-" : meta))
            + (version == 0 && expires == 0 ? "" : " " + version)
            + (expires == 0 ? "" : " " + expires);
    return line.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a stored value: ours, or minikeyvalue's.
   *
   * @throws IllegalArgumentException when the bytes are neither
   */
  public static Record decode(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (!s.startsWith(MAGIC + ' ')) {
      return decodeMinikeyvalue(s);
    }
    String[] f = s.split(" ", -1);
    if (f.length < 7 || f.length > 12 || f[1].length() != 1) {
      throw new IllegalArgumentException("corrupt index record: " + s);
    }
    String placement = f.length >= 8 && !f[7].equals("-") ? f[7] : null;
    return new Record(
        State.of(f[1].charAt(0)),
        split(f[5]),
        Long.parseLong(f[2]),
        f[3].equals("-") ? null : f[3],
        Long.parseLong(f[4]),
        split(f[6]),
        placement,
        f.length >= 9 ? split(f[8]) : List.of(),
        f.length >= 10 && !f[9].equals("-") ? f[9] : null,
        f.length >= 11 ? Long.parseLong(f[10]) : 0,
        f.length >= 12 ? Long.parseLong(f[11]) : 0);
  }

  // minikeyvalue: "DELETED" (soft) or "DELETING" (hard, unfinished) prefix, then "HASH" + 32 hex,
  // then volumes.
  private static Record decodeMinikeyvalue(String s) {
    State state = State.LIVE;
    if (s.startsWith("DELETING")) {
      state = State.DELETING;
      s = s.substring(8);
    } else if (s.startsWith("DELETED")) {
      state = State.UNLINKED;
      s = s.substring(7);
    }
    String md5 = null;
    if (s.startsWith("HASH") && s.length() >= 36) {
      md5 = s.substring(4, 36);
      s = s.substring(36);
    }
    return live(split(s)).withState(state).withMd5(md5);
  }

  private static String join(List<String> list) {
    return list.isEmpty() ? "-" : String.join(",", list);
  }

  private static List<String> split(String s) {
    return s.isEmpty() || s.equals("-") ? List.of() : Arrays.asList(s.split(","));
  }
}
