package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import mkv.http.ErrorCode;
import mkv.s3.xml.S3Error;
import mkv.s3.xml.Xml;

/**
 * Buckets: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation.
 *
 * <p>A bucket is a small ordinary key, {@code /_s3/buckets/NAME} (its value: the name), so it lives
 * in the master's index like any key, is listed with one request, and comes back after a {@code
 * rebuild}; its creation date is its record's. Objects do not depend on it: a key written under
 * {@code /b/} through the plain API is object of bucket {@code b} as soon as the bucket exists.
 */
final class BucketHandler {
  static final String BUCKETS = S3Request.INTERNAL + "buckets/";

  /**
   * How long a bucket seen to exist is believed to, without asking the master again: a PutObject
   * then costs one request to the master, not two. A bucket deleted through another gateway can
   * still take objects here for this long (they are there, and listed, if it is created again).
   */
  static final long KNOWN_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final MasterClient master;
  private final String region;
  private final Map<String, Long> known = new ConcurrentHashMap<>();

  BucketHandler(MasterClient master, String region) {
    this.master = master;
    this.region = region;
  }

  /** Whether bucket {@code name} was seen to exist at most {@link #KNOWN_NANOS} ago. */
  boolean knownToExist(String name) {
    Long seen = known.get(name);
    return seen != null && System.nanoTime() - seen < KNOWN_NANOS;
  }

  /** Whether bucket {@code name} exists (as seen at most {@link #KNOWN_NANOS} ago). */
  boolean exists(String name) throws IOException {
    if (knownToExist(name)) {
      return true;
    }
    long now = System.nanoTime();
    boolean exists = master.locate(BUCKETS + name) != null;
    if (exists) {
      if (known.size() > 10_000) {
        known.clear(); // bounded: each is one lookup to learn again
      }
      known.put(name, now);
    } else {
      known.remove(name);
    }
    return exists;
  }

  /**
   * @throws S3Error NoSuchBucket unless it exists
   */
  void require(String name) throws IOException {
    if (!exists(name)) {
      throw S3Error.noSuchBucket(name);
    }
  }

  void list(HttpServerExchange exchange) throws IOException {
    Xml x =
        Xml.document("ListAllMyBucketsResult")
            .open("Owner")
            .element("ID", "mkv")
            .element("DisplayName", "mkv")
            .close("Owner")
            .open("Buckets");
    String start = null;
    for (int pages = 0; pages < 1000; pages++) {
      MasterClient.Page page = master.list(BUCKETS, start, 1000);
      for (MasterClient.Entry e : page.entries()) {
        x.open("Bucket")
            .element("Name", e.key().substring(BUCKETS.length()))
            .element("CreationDate", Replies.iso(e.created()))
            .close("Bucket");
      }
      if (page.next().isEmpty()) {
        break;
      }
      start = page.next();
    }
    Replies.xml(exchange, 200, x.close("Buckets").end("ListAllMyBucketsResult"));
  }

  void create(HttpServerExchange exchange, S3Request r) throws IOException {
    checkName(r.bucket);
    exchange
        .getInputStream()
        .readNBytes(64 * 1024); // a CreateBucketConfiguration, if any: the region is ours
    byte[] name = r.bucket.getBytes(StandardCharsets.UTF_8);
    try {
      master.put(
          BUCKETS + r.bucket, new ByteArrayInputStream(name), name.length, null, null, false);
    } catch (MasterException e) {
      if (e.reason() == ErrorCode.KEY_EXISTS) {
        throw new S3Error(
                409,
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket "
                    + "succeeded and you already own it.")
            .with("BucketName", r.bucket);
      }
      throw e;
    }
    exchange.getResponseHeaders().put(Headers.LOCATION, "/" + r.bucket);
    Replies.empty(exchange, 200);
  }

  void head(HttpServerExchange exchange, S3Request r) throws IOException {
    if (master.locate(BUCKETS + r.bucket) == null) { // HeadBucket asks the master itself, always
      throw S3Error.noSuchBucket(r.bucket);
    }
    exchange
        .getResponseHeaders()
        .put(new io.undertow.util.HttpString("x-amz-bucket-region"), regionName());
    Replies.empty(exchange, 200);
  }

  /**
   * Refused while any object is left; uploads in progress are aborted first, as nobody can finish
   * them.
   */
  void delete(HttpServerExchange exchange, S3Request r, MultipartHandler multipart)
      throws IOException {
    require(r.bucket);
    if (!master.list("/" + r.bucket + "/", null, 1).entries().isEmpty()) {
      throw new S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
          .with("BucketName", r.bucket);
    }
    multipart.abortAll(r.bucket);
    known.remove(r.bucket);
    master.delete(BUCKETS + r.bucket);
    known.remove(r.bucket);
    Replies.empty(exchange, 204);
  }

  void location(HttpServerExchange exchange, S3Request r) throws IOException {
    require(r.bucket);
    String name = regionName();
    // us-east-1 is S3's empty LocationConstraint
    Replies.xml(
        exchange,
        200,
        Xml.document("LocationConstraint")
            .endText(name.equals("us-east-1") ? "" : name, "LocationConstraint"));
  }

  void versioning(HttpServerExchange exchange, S3Request r) throws IOException {
    require(r.bucket);
    Replies.xml(
        exchange, 200, Xml.document("VersioningConfiguration").end("VersioningConfiguration"));
  }

  private String regionName() {
    return region == null ? "us-east-1" : region;
  }

  /**
   * S3's rules for bucket names: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or
   * digit.
   */
  static void checkName(String name) {
    if (!name.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
        || name.contains("..")
        || name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
      throw new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.")
          .with("BucketName", name);
    }
  }
}
