package mkv.s3;

import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import mkv.http.ByteRange;
import mkv.s3.xml.S3Error;
import mkv.s3.xml.Xml;
import mkv.s3.xml.XmlRequests;

/**
 * Multipart uploads: the S3 operations on them. An upload and its parts are ordinary keys ({@link
 * Upload}), each part streamed to the replicas as it arrives, its md5 its ETag. Completion streams
 * the parts, in order, from their replicas through one PUT of the object's key ({@link
 * PartsStream}): a completed object is one value like any other, readable through both APIs, and
 * completing costs reading every part once and writing the object once (a copy at disk speed); then
 * the parts and the upload go. Abandoned uploads are the {@link UploadSweeper}'s. Parts are live
 * keys of the store, so {@code verify} checks them like any.
 */
final class MultipartHandler {
  /** S3's smallest part but the last. */
  static final long MIN_PART = 5L << 20;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final MasterClient master;
  private final BucketHandler buckets;
  private final GetHandler reads;
  private final PutHandler writes;
  private final Uploads uploads;
  private final ScheduledExecutorService timer;
  private final String masterUrl;

  MultipartHandler(
      MasterClient master,
      BucketHandler buckets,
      GetHandler reads,
      PutHandler writes,
      Uploads uploads,
      ScheduledExecutorService timer,
      String masterUrl) {
    this.master = master;
    this.buckets = buckets;
    this.reads = reads;
    this.writes = writes;
    this.uploads = uploads;
    this.timer = timer;
    this.masterUrl = masterUrl;
  }

  void create(HttpServerExchange exchange, S3Request r) throws IOException {
    PutHandler.checkKey(r.bucket, r.key);
    buckets.require(r.bucket);
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    String id = HexFormat.of().formatHex(raw);
    ObjectMeta meta = ObjectMeta.of(exchange.getRequestHeaders()).with(ObjectMeta.KEY, r.key);
    byte[] key = r.key.getBytes(StandardCharsets.UTF_8);
    master.put(
        Upload.marker(r.bucket, id),
        new ByteArrayInputStream(key),
        key.length,
        null,
        meta.encode(),
        false);
    Replies.xml(
        exchange,
        200,
        Xml.document("InitiateMultipartUploadResult")
            .element("Bucket", r.bucket)
            .element("Key", r.key)
            .element("UploadId", id)
            .end("InitiateMultipartUploadResult"));
  }

  private Upload upload(S3Request r) throws IOException {
    String id = r.param("uploadId");
    if (id == null || !id.matches("[0-9a-f]{32}")) {
      throw S3Error.noSuchUpload(id);
    }
    MasterClient.Located marker = master.locate(Upload.marker(r.bucket, id));
    if (marker == null) {
      buckets.require(r.bucket);
      throw S3Error.noSuchUpload(id);
    }
    ObjectMeta meta = ObjectMeta.decode(marker.meta());
    if (!r.key.equals(meta.get(ObjectMeta.KEY))) {
      throw S3Error.noSuchUpload(id);
    }
    return new Upload(r.bucket, id, r.key, meta, marker.created());
  }

  private static int partNumber(S3Request r) {
    try {
      int n = Integer.parseInt(r.param("partNumber"));
      if (n >= 1 && n <= Uploads.MAX_PART_NUMBER) {
        return n;
      }
    } catch (NumberFormatException | NullPointerException e) {
      // answered below
    }
    throw S3Error.invalidArgument(
        "Part number must be an integer between 1 and " + Uploads.MAX_PART_NUMBER + ", inclusive");
  }

  /**
   * UploadPart: the body streamed to the part's key; a part sent again replaces the earlier one.
   */
  void uploadPart(HttpServerExchange exchange, S3Request r) throws IOException {
    int number = partNumber(r);
    Upload u = upload(r);
    String partKey = Upload.partKey(u.bucket(), u.id(), number);
    if (r.header("x-amz-copy-source") != null) {
      copyPart(exchange, r, partKey);
      return;
    }
    MasterClient.Stored stored = writes.store(exchange, r, partKey, null, PutHandler.contentMd5(r));
    exchange.getResponseHeaders().put(Replies.ETAG, Replies.etag(stored.md5()));
    Replies.empty(exchange, 200);
  }

  /** UploadPartCopy: a stored object, or a range of it, streamed into the part. */
  private void copyPart(HttpServerExchange exchange, S3Request r, String partKey)
      throws IOException {
    String[] source = PutHandler.copySource(r.header("x-amz-copy-source"));
    MasterClient.Located src = reads.locate(source[0], source[1]);
    Conditions.checkCopySource(r, GetHandler.etag(src), src.created() > 0 ? src.created() : null);
    ByteRange range = null;
    String rangeHeader = r.header("x-amz-copy-source-range");
    if (rangeHeader != null) {
      range = Ranges.parse(rangeHeader, src.size());
      if (range == null) {
        throw S3Error.invalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last");
      }
    }
    try (LongAnswer answer = new LongAnswer(exchange, timer)) {
      try {
        MasterClient.Stored stored =
            writes.copyValue("/" + source[0] + "/" + source[1], src, partKey, null, range);
        answer.finish(
            Xml.document("CopyPartResult")
                .element("LastModified", Replies.iso(System.currentTimeMillis()))
                .element("ETag", Replies.etag(stored.md5()))
                .end("CopyPartResult"));
      } catch (IOException | RuntimeException e) {
        answer.fail(e, r.resource(), masterUrl);
      }
    }
  }

  void listParts(HttpServerExchange exchange, S3Request r) throws IOException {
    Upload u = upload(r);
    int marker =
        r.param("part-number-marker") == null ? 0 : parseInt(r.param("part-number-marker"));
    int max = r.param("max-parts") == null ? 1000 : Math.min(1000, parseInt(r.param("max-parts")));
    MasterClient.Page page =
        master.list(
            u.parts(),
            Upload.partKey(u.bucket(), u.id(), Math.min(marker + 1, 99_999)),
            Math.max(1, max + 1));
    List<MasterClient.Entry> entries = page.entries();
    boolean truncated = entries.size() > max;
    List<MasterClient.Entry> shown = truncated ? entries.subList(0, max) : entries;
    Xml x =
        Xml.document("ListPartsResult")
            .element("Bucket", u.bucket())
            .element("Key", u.key())
            .element("UploadId", u.id());
    owner(x, "Initiator");
    owner(x, "Owner");
    x.element("StorageClass", "STANDARD")
        .element("PartNumberMarker", marker)
        .element(
            "NextPartNumberMarker",
            shown.isEmpty() ? marker : Upload.partNumber(shown.get(shown.size() - 1).key()))
        .element("MaxParts", max)
        .element("IsTruncated", truncated);
    for (MasterClient.Entry e : shown) {
      x.open("Part")
          .element("PartNumber", Upload.partNumber(e.key()))
          .element("LastModified", Replies.iso(e.created()))
          .element("ETag", Replies.etag(e.md5()))
          .element("Size", e.size())
          .close("Part");
    }
    Replies.xml(exchange, 200, x.end("ListPartsResult"));
  }

  /**
   * CompleteMultipartUpload: checks the list against the parts stored (order, ETags, sizes), then
   * streams them into the object's key; a failure leaves the object as it was and the upload
   * intact, so the client may retry.
   */
  void complete(HttpServerExchange exchange, S3Request r) throws IOException {
    Upload u = upload(r);
    byte[] body = exchange.getInputStream().readNBytes(XmlRequests.MAX_BYTES + 1);
    if (body.length > XmlRequests.MAX_BYTES) {
      throw new S3Error(400, "MalformedXML", "the request body is too large");
    }
    List<XmlRequests.Part> asked = XmlRequests.complete(body);
    if (asked.isEmpty()) {
      throw new S3Error(400, "MalformedXML", "You must specify at least one part");
    }
    Map<Integer, MasterClient.Entry> stored = new HashMap<>();
    for (MasterClient.Entry e : uploads.parts(u)) {
      stored.put(Upload.partNumber(e.key()), e);
    }
    List<MasterClient.Entry> chosen = new ArrayList<>();
    long total = 0;
    int previous = 0;
    for (int i = 0; i < asked.size(); i++) {
      XmlRequests.Part p = asked.get(i);
      if (p.number() <= previous) {
        throw new S3Error(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list "
                + "must be specified in order by part number.");
      }
      previous = p.number();
      MasterClient.Entry e = stored.get(p.number());
      String etag = p.etag() == null ? null : p.etag().replace("\"", "");
      if (e == null || etag != null && e.md5() != null && !etag.equals(e.md5())) {
        throw new S3Error(
                400,
                "InvalidPart",
                "One or more of the specified parts could not be found. The part may not have been"
                    + " uploaded, or the specified entity tag may not match the part's entity tag.")
            .with("PartNumber", Integer.toString(p.number()))
            .with("ETag", p.etag());
      }
      if (i < asked.size() - 1 && e.size() < MIN_PART) {
        throw new S3Error(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed object " + "size.")
            .with("PartNumber", Integer.toString(p.number()))
            .with("ProposedSize", Long.toString(e.size()))
            .with("MinSizeAllowed", Long.toString(MIN_PART));
      }
      chosen.add(e);
      total += e.size();
    }
    String meta = new ObjectMeta(withoutKey(u.meta())).encode();
    try (LongAnswer answer = new LongAnswer(exchange, timer)) {
      try {
        MasterClient.Stored result;
        try (InputStream parts = new PartsStream(master, reads, chosen)) {
          result = master.put("/" + u.bucket() + "/" + u.key(), parts, total, null, meta, true);
        }
        uploads.delete(u);
        answer.finish(
            Xml.document("CompleteMultipartUploadResult")
                .element("Location", "/" + u.bucket() + "/" + u.key())
                .element("Bucket", u.bucket())
                .element("Key", u.key())
                .element("ETag", Replies.etag(result.md5()))
                .end("CompleteMultipartUploadResult"));
      } catch (IOException | RuntimeException e) {
        answer.fail(e, r.resource(), masterUrl);
      }
    }
  }

  private static Map<String, String> withoutKey(ObjectMeta meta) {
    Map<String, String> m = new java.util.LinkedHashMap<>(meta.headers());
    m.remove(ObjectMeta.KEY);
    return m;
  }

  void abort(HttpServerExchange exchange, S3Request r) throws IOException {
    uploads.delete(upload(r));
    Replies.empty(exchange, 204);
  }

  void listUploads(HttpServerExchange exchange, S3Request r) throws IOException {
    buckets.require(r.bucket);
    String prefix = r.query.getOrDefault("prefix", "");
    String keyMarker = r.query.getOrDefault("key-marker", "");
    String idMarker = r.query.getOrDefault("upload-id-marker", "");
    int max =
        r.param("max-uploads") == null ? 1000 : Math.min(1000, parseInt(r.param("max-uploads")));
    List<Upload> all = uploads.of(r.bucket);
    all.removeIf(
        u ->
            !u.key().startsWith(prefix)
                || u.key().compareTo(keyMarker) < 0
                || !keyMarker.isEmpty()
                    && u.key().equals(keyMarker)
                    && (idMarker.isEmpty() || u.id().compareTo(idMarker) <= 0));
    all.sort(
        Comparator.comparing(Upload::key)
            .thenComparing(Upload::initiated)
            .thenComparing(Upload::id));
    boolean truncated = all.size() > max;
    List<Upload> shown = truncated ? all.subList(0, max) : all;
    Xml x =
        Xml.document("ListMultipartUploadsResult")
            .element("Bucket", r.bucket)
            .element("KeyMarker", keyMarker)
            .element("UploadIdMarker", idMarker);
    if (truncated) {
      x.element("NextKeyMarker", shown.get(shown.size() - 1).key())
          .element("NextUploadIdMarker", shown.get(shown.size() - 1).id());
    }
    x.element("Prefix", prefix).element("MaxUploads", max).element("IsTruncated", truncated);
    for (Upload u : shown) {
      x.open("Upload").element("Key", u.key()).element("UploadId", u.id());
      owner(x, "Initiator");
      owner(x, "Owner");
      x.element("StorageClass", "STANDARD")
          .element("Initiated", Replies.iso(u.initiated()))
          .close("Upload");
    }
    Replies.xml(exchange, 200, x.end("ListMultipartUploadsResult"));
  }

  /** DeleteBucket: every upload of the bucket, and its parts. */
  void abortAll(String bucket) throws IOException {
    uploads.deleteAll(bucket);
  }

  private static void owner(Xml x, String element) {
    x.open(element).element("ID", "mkv").element("DisplayName", "mkv").close(element);
  }

  private static int parseInt(String v) {
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw S3Error.invalidArgument("expected a whole number, got " + v);
  }
}
