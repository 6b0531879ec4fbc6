package mkv.s3;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ScheduledExecutorService;
import mkv.http.ByteRange;
import mkv.http.ContentMd5;
import mkv.http.Protocol;
import mkv.layout.KeyPath;
import mkv.s3.auth.Payload;
import mkv.s3.xml.S3Error;
import mkv.s3.xml.Xml;
import okhttp3.Response;

/**
 * PutObject and CopyObject: the body (or the source object) streamed through the master to the
 * replicas, never held here. Every write may replace a live key ({@code Mkv-Overwrite}): readers
 * see the old value or the new one, whole, and the old one stays until the new one is durable.
 */
final class PutHandler {
  /** S3's longest key, in bytes. */
  static final int MAX_KEY_BYTES = 1024;

  private final MasterClient master;
  private final BucketHandler buckets;
  private final GetHandler reads;
  private final ScheduledExecutorService timer;
  private final String masterUrl;

  PutHandler(
      MasterClient master,
      BucketHandler buckets,
      GetHandler reads,
      ScheduledExecutorService timer,
      String masterUrl) {
    this.master = master;
    this.buckets = buckets;
    this.reads = reads;
    this.timer = timer;
    this.masterUrl = masterUrl;
  }

  void put(HttpServerExchange exchange, S3Request r) throws IOException {
    checkKey(r.bucket, r.key);
    buckets.require(r.bucket);
    ObjectMeta meta = ObjectMeta.of(exchange.getRequestHeaders());
    String md5 = contentMd5(r);
    MasterClient.Stored stored = store(exchange, r, r.storeKey(), meta.encode(), md5);
    exchange.getResponseHeaders().put(Replies.ETAG, Replies.etag(stored.md5()));
    Replies.empty(exchange, 200);
  }

  /** Streams the request's body (checked as it goes) to {@code storeKey}; answers nothing. */
  MasterClient.Stored store(
      HttpServerExchange exchange, S3Request r, String storeKey, String meta, String md5)
      throws IOException {
    Payload body =
        Payload.of(exchange.getInputStream(), r.auth, r.signed, exchange.getRequestContentLength());
    if (body.length() == 0) {
      body.read(); // nothing will be forwarded: check the (empty) body now
    }
    return master.put(storeKey, body, body.length(), md5, meta, true);
  }

  void copy(HttpServerExchange exchange, S3Request r) throws IOException {
    checkKey(r.bucket, r.key);
    String[] source = copySource(r.header("x-amz-copy-source"));
    MasterClient.Located src = reads.locate(source[0], source[1]);
    buckets.require(r.bucket);
    Conditions.checkCopySource(r, GetHandler.etag(src), src.created() > 0 ? src.created() : null);
    boolean replace = "REPLACE".equalsIgnoreCase(r.header("x-amz-metadata-directive"));
    if (!replace && source[0].equals(r.bucket) && source[1].equals(r.key)) {
      throw S3Error.invalidRequest(
          "This copy request is illegal because it is trying to copy an object to itself without"
              + " changing the object's metadata, storage class, website redirect location or"
              + " encryption attributes.");
    }
    String meta = replace ? ObjectMeta.of(exchange.getRequestHeaders()).encode() : src.meta();
    try (LongAnswer answer = new LongAnswer(exchange, timer)) {
      try {
        MasterClient.Stored stored =
            copyValue("/" + source[0] + "/" + source[1], src, r.storeKey(), meta);
        answer.finish(
            Xml.document("CopyObjectResult")
                .element("LastModified", Replies.iso(System.currentTimeMillis()))
                .element("ETag", Replies.etag(stored.md5()))
                .end("CopyObjectResult"));
      } catch (IOException | RuntimeException e) {
        answer.fail(e, r.resource(), masterUrl);
      }
    }
  }

  /**
   * Streams a stored value (or {@code range} of it, null for all) from its replicas to {@code
   * destKey}.
   */
  MasterClient.Stored copyValue(
      String sourceKey, MasterClient.Located src, String destKey, String meta, ByteRange range)
      throws IOException {
    String rangeHeader = range == null ? null : range.header();
    try (Response response = reads.openAny(sourceKey, src, rangeHeader)) {
      long length = range != null ? range.length() : response.body().contentLength();
      try (InputStream in = response.body().byteStream()) {
        return master.put(destKey, in, length, null, meta, true);
      }
    }
  }

  MasterClient.Stored copyValue(
      String sourceKey, MasterClient.Located src, String destKey, String meta) throws IOException {
    return copyValue(sourceKey, src, destKey, meta, null);
  }

  /** {@code x-amz-copy-source}: {@code [/]bucket/key[?versionId=...]}, URL-encoded. */
  static String[] copySource(String header) {
    if (header == null || header.isEmpty()) {
      throw S3Error.invalidArgument("x-amz-copy-source is empty");
    }
    String h = header;
    int q = h.indexOf('?');
    if (q >= 0) {
      String version = h.substring(q + 1);
      if (!version.equals("versionId=null") && !version.isEmpty()) {
        throw S3Error.notImplemented("copying a version of an object");
      }
      h = h.substring(0, q);
    }
    String decoded = S3Request.decode(h.startsWith("/") ? h.substring(1) : h);
    int slash = decoded.indexOf('/');
    if (slash <= 0 || slash == decoded.length() - 1) {
      throw S3Error.invalidArgument(
          "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    }
    return new String[] {decoded.substring(0, slash), decoded.substring(slash + 1)};
  }

  /** S3's key rules, and ours: the store key {@code /bucket/key} must fit a volume's file name. */
  static void checkKey(String bucket, String key) {
    if (key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new S3Error(400, "KeyTooLongError", "Your key is too long");
    }
    if (!KeyPath.fits(KeyPath.of("/" + bucket + "/" + key))) {
      throw new S3Error(
          400,
          "KeyTooLongError",
          "Your key is too long for this store: /bucket/key is kept as one "
              + "file named by its base64, at most "
              + KeyPath.MAX_SEGMENT_BYTES
              + " bytes (keys up to about "
              + (KeyPath.MAX_SEGMENT_BYTES * 3 / 4 - 2 - bucket.length())
              + " bytes in this bucket)");
    }
  }

  /**
   * The request's Content-MD5 in hex when well formed (for the master to check); InvalidDigest when
   * not.
   */
  static String contentMd5(S3Request r) {
    return ContentMd5.parse(r.header(Protocol.CONTENT_MD5.toString()));
  }
}
