package mkv.s3;

import mkv.s3.xml.S3Error;

/** S3's reading of a {@code Range} header: one byte range, or the whole object. */
final class Ranges {
  private Ranges() {}

  /**
   * @return {first, last} (inclusive) of the one range asked for, or null for the whole object (no
   *     header, several ranges, or one S3 ignores)
   * @throws S3Error 416 InvalidRange when the range starts past the end
   */
  static long[] parse(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).strip();
      String b = spec.substring(dash + 1).strip();
      long first;
      long last;
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return null;
        }
        long suffix = Long.parseLong(b);
        if (suffix == 0) {
          throw invalid(size);
        }
        first = Math.max(0, size - suffix);
        last = size - 1;
      } else {
        first = Long.parseLong(a);
        last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
        if (!b.isEmpty() && Long.parseLong(b) < first) {
          return null; // syntactically invalid: ignored, as S3 does
        }
      }
      if (first >= size || size == 0) {
        throw invalid(size);
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static S3Error invalid(long size) {
    return new S3Error(416, "InvalidRange", "The requested range is not satisfiable")
        .with("ActualObjectSize", Long.toString(size));
  }
}
