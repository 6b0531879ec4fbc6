package mkv.http;

/**
 * One satisfiable byte range of a value of known size (RFC 9110 14.1.2), inclusive at both ends:
 * the one reading of a {@code Range} header, for the volume's GET and the gateway's GetObject.
 *
 * @param start first byte offset
 * @param end last byte offset, inclusive, below the file size
 */
public record ByteRange(long start, long end) {

  /** The header asked for bytes that do not exist: answer 416. */
  public static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  public long length() {
    return end - start + 1;
  }

  /** The {@code Range} header that asks for it: {@code bytes=START-END}. */
  public String header() {
    return "bytes=" + start + "-" + end;
  }

  /** The {@code Content-Range} of its answer: {@code bytes START-END/SIZE}. */
  public String contentRange(long size) {
    return "bytes " + start + "-" + end + "/" + size;
  }

  /**
   * Parses a Range header against a size. The unit is case-insensitive (RFC 9110 14.1); numbers are
   * plain digits.
   *
   * @return null to serve the whole value (no header, a malformed one, or several ranges, which a
   *     plain 200 answers correctly), {@link #UNSATISFIABLE}, or the range clipped to the value
   */
  public static ByteRange parse(String header, long size) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return null;
    }
    String spec = h.substring(6).trim();
    if (spec.indexOf(',') >= 0) {
      return null;
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String first = spec.substring(0, dash).trim();
    String last = spec.substring(dash + 1).trim();
    if (first.isEmpty()) {
      // suffix range: the last n bytes
      long n = number(last);
      if (n < 0) {
        return null;
      }
      if (n == 0 || size == 0) {
        return UNSATISFIABLE;
      }
      return new ByteRange(Math.max(0, size - n), size - 1);
    }
    long from = number(first);
    if (from < 0) {
      return null;
    }
    long to;
    if (last.isEmpty()) {
      to = size - 1;
    } else {
      to = number(last);
      if (to < 0 || to < from) {
        return null;
      }
      to = Math.min(to, size - 1);
    }
    if (from >= size) {
      return UNSATISFIABLE;
    }
    return new ByteRange(from, to);
  }

  /** A non-negative decimal, or -1 if malformed or too large. */
  private static long number(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(s);
  }
}
