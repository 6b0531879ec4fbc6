package mkv.s3.xml;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be served, as S3 says it: the HTTP status, S3's error code, a one-line
 * message, and any extra elements of the error document (the key, the string to sign...).
 */
public final class S3Error extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, String> details = new LinkedHashMap<>();

  public S3Error(int status, String code, String message) {
    super(message, null, false, false); // expected outcomes: no stack trace to fill
    this.status = status;
    this.code = code;
  }

  /** Adds an element to the error document ({@code Key}, {@code BucketName}...). */
  public S3Error with(String element, String value) {
    if (value != null) {
      details.put(element, value);
    }
    return this;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> details() {
    return details;
  }

  public static S3Error noSuchBucket(String bucket) {
    return new S3Error(404, "NoSuchBucket", "The specified bucket does not exist")
        .with("BucketName", bucket);
  }

  public static S3Error noSuchKey(String key) {
    return new S3Error(404, "NoSuchKey", "The specified key does not exist.").with("Key", key);
  }

  public static S3Error noSuchUpload(String uploadId) {
    return new S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist.")
        .with("UploadId", uploadId);
  }

  public static S3Error invalidArgument(String message) {
    return new S3Error(400, "InvalidArgument", message);
  }

  public static S3Error invalidRequest(String message) {
    return new S3Error(400, "InvalidRequest", message);
  }

  public static S3Error accessDenied(String message) {
    return new S3Error(403, "AccessDenied", message);
  }

  public static S3Error notImplemented(String what) {
    return new S3Error(501, "NotImplemented", what + " is not implemented by this gateway");
  }

  public static S3Error internal(String message) {
    return new S3Error(500, "InternalError", message);
  }

  public static S3Error unavailable(String message) {
    return new S3Error(503, "ServiceUnavailable", message);
  }
}
