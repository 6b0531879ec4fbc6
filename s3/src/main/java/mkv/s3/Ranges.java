package mkv.s3;

import mkv.http.ByteRange;
import mkv.s3.xml.S3Error;

/** S3's reading of a {@code Range} header: one byte range, or the whole object. */
final class Ranges {
  private Ranges() {}

  /**
   * @return the one range asked for, or null for the whole object (no header, several ranges, or
   *     one S3 ignores)
   * @throws S3Error 416 InvalidRange when the range starts past the end
   */
  static ByteRange parse(String header, long size) {
    ByteRange range = ByteRange.parse(header, size);
    if (range == ByteRange.UNSATISFIABLE) {
      throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable")
          .with("ActualObjectSize", Long.toString(size));
    }
    return range;
  }
}
