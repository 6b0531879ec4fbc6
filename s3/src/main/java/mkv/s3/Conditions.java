package mkv.s3;

import io.undertow.util.DateUtils;
import java.util.Date;
import mkv.s3.xml.S3Error;

/** If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since, with S3's precedence. */
final class Conditions {
  private Conditions() {}

  /**
   * @return 200 to go on, 304 when the client's copy is current
   * @throws S3Error 412 PreconditionFailed
   */
  static int check(S3Request r, String etag, Long modifiedMillis) {
    return check(
        etag,
        modifiedMillis,
        r.header("If-Match"),
        r.header("If-None-Match"),
        r.header("If-Modified-Since"),
        r.header("If-Unmodified-Since"),
        true);
  }

  /** The same for CopyObject's {@code x-amz-copy-source-if-*}, where every failure is a 412. */
  static void checkCopySource(S3Request r, String etag, Long modifiedMillis) {
    check(
        etag,
        modifiedMillis,
        r.header("x-amz-copy-source-if-match"),
        r.header("x-amz-copy-source-if-none-match"),
        r.header("x-amz-copy-source-if-modified-since"),
        r.header("x-amz-copy-source-if-unmodified-since"),
        false);
  }

  private static int check(
      String etag,
      Long modified,
      String ifMatch,
      String ifNoneMatch,
      String ifModifiedSince,
      String ifUnmodifiedSince,
      boolean notModified) {
    if (ifMatch != null && !matches(ifMatch, etag)) {
      throw failed("If-Match");
    }
    if (ifMatch == null && ifUnmodifiedSince != null && modified != null) {
      Date d = DateUtils.parseDate(ifUnmodifiedSince);
      if (d != null && modified / 1000 > d.getTime() / 1000) {
        throw failed("If-Unmodified-Since");
      }
    }
    if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
      if (!notModified) {
        throw failed("If-None-Match");
      }
      return 304;
    }
    if (ifNoneMatch == null && ifModifiedSince != null && modified != null) {
      Date d = DateUtils.parseDate(ifModifiedSince);
      if (d != null && modified / 1000 <= d.getTime() / 1000) {
        if (!notModified) {
          throw failed("If-Modified-Since");
        }
        return 304;
      }
    }
    return 200;
  }

  private static boolean matches(String header, String etag) {
    for (String t : header.split(",")) {
      String tag = t.strip();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag) || ("\"" + tag + "\"").equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static S3Error failed(String condition) {
    return new S3Error(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold")
        .with("Condition", condition);
  }
}
