package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.http.Blocking;
import mkv.http.ByteRange;
import mkv.layout.KeyPath;
import mkv.s3.xml.S3Error;
import mkv.volume.FileTransfer;
import okhttp3.Response;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSinkChannel;

/**
 * GetObject and HeadObject. The master says where the key is, with its size, md5, time and
 * metadata, so a HEAD or a failed precondition touches no volume (unless the record has no size, as
 * one adopted from minikeyvalue: then a replica is asked, with a one-byte range). A GET then sends
 * the bytes itself, since S3 clients do not follow redirects: from a local volume's file when it
 * can ({@link LocalVolumes}), else relayed from a replica. A replica that is down, lacks the copy
 * or answers something malformed is passed over for the next one before the first byte is sent.
 */
final class GetHandler {
  private static final Logger LOG = Logger.getLogger(GetHandler.class.getName());
  private static final String[][] OVERRIDES = {
    {"response-content-type", "Content-Type"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"}
  };

  private final MasterClient master;
  private final BucketHandler buckets;
  private final VolumeFetcher fetcher;
  private final LocalVolumes local;
  private final String masterUrl;

  GetHandler(
      MasterClient master,
      BucketHandler buckets,
      VolumeFetcher fetcher,
      LocalVolumes local,
      String masterUrl) {
    this.masterUrl = masterUrl;
    this.master = master;
    this.buckets = buckets;
    this.fetcher = fetcher;
    this.local = local;
  }

  /** The key's whereabouts; NoSuchKey (or NoSuchBucket) when it does not exist. */
  MasterClient.Located locate(String bucket, String key) throws IOException {
    MasterClient.Located loc = master.locate("/" + bucket + "/" + key);
    if (loc == null) {
      throw missing(bucket, key);
    }
    return loc;
  }

  /** What a key the master does not have is: NoSuchBucket, else NoSuchKey. */
  S3Error missing(String bucket, String key) throws IOException {
    buckets.require(bucket);
    return S3Error.noSuchKey(key);
  }

  void handle(HttpServerExchange exchange, S3Request r, boolean head) throws IOException {
    answer(exchange, r, locate(r.bucket, r.key), head);
  }

  /**
   * Answers with the value {@code loc} says where to find. On the IO thread, what would block (a
   * relayed body, a record without a size) goes to a worker thread.
   */
  void answer(HttpServerExchange exchange, S3Request r, MasterClient.Located loc, boolean head)
      throws IOException {
    if (loc.size() < 0 && exchange.isInIoThread()) {
      onWorker(exchange, r, x -> answer(x, r, loc, head));
      return;
    }
    long size = loc.size() >= 0 ? loc.size() : sizeFromReplica(r.storeKey(), loc);
    String etag = etag(loc);
    Long modified = loc.created() > 0 ? loc.created() : null;
    int status = Conditions.check(r, etag, modified);
    HeaderMap out = exchange.getResponseHeaders();
    out.put(Replies.ETAG, etag);
    if (modified != null) {
      out.put(Headers.LAST_MODIFIED, DateUtils.toDateString(new Date(modified)));
    }
    if (status == 304) {
      Replies.empty(exchange, 304);
      return;
    }
    ObjectMeta.decode(loc.meta()).apply(out);
    for (String[] o : OVERRIDES) {
      String v = r.param(o[0]);
      if (v != null) {
        out.put(HttpString.tryFromString(o[1]), v);
      }
    }
    out.put(Headers.ACCEPT_RANGES, "bytes");
    checkPartNumber(r);
    ByteRange range = Ranges.parse(r.header("Range"), size);
    if (range != null) {
      out.put(Headers.CONTENT_RANGE, range.contentRange(size));
    }
    long length = range == null ? size : range.length();
    if (head) {
      status(exchange, range, length);
      exchange.endExchange();
      return;
    }
    FileChannel file = local.open(r.storeKey(), loc.replicas(), loc.location(), size);
    local.counted(file != null);
    if (file != null) {
      status(exchange, range, length);
      FileTransfer.start(exchange, file, range == null ? 0 : range.start(), length, r.storeKey());
    } else if (exchange.isInIoThread()) {
      onWorker(exchange, r, x -> relay(x, r.storeKey(), loc, range, length));
    } else {
      relay(exchange, r.storeKey(), loc, range, length);
    }
  }

  /**
   * Runs {@code work} on a worker thread in blocking mode, answering its failure; the exchange
   * stays open.
   */
  void onWorker(HttpServerExchange exchange, S3Request r, Blocking.Work work) {
    Blocking.run(
        exchange,
        x -> {
          x.startBlocking();
          work.run(x);
        },
        (x, e) -> Failures.answer(x, e, r.resource(), masterUrl));
  }

  /**
   * GetObject's {@code partNumber}: every value here is one part (a completed multipart upload is
   * stored whole), so part 1 is the object and any other is not satisfiable, as S3 answers for an
   * object uploaded in one piece.
   */
  private static void checkPartNumber(S3Request r) {
    String part = r.param("partNumber");
    if (part == null) {
      return;
    }
    if (r.header("Range") != null) {
      throw S3Error.invalidRequest(
          "Cannot specify both Range header and partNumber query parameter");
    }
    if (!part.equals("1")) {
      if (!part.matches("[1-9][0-9]{0,4}")) {
        throw S3Error.invalidArgument("Part number must be an integer between 1 and 10000");
      }
      throw new S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable");
    }
  }

  private static void status(HttpServerExchange exchange, ByteRange range, long length) {
    exchange.setStatusCode(range == null ? 200 : 206);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
  }

  /** Streams the value from a replica over HTTP, failing over before the first byte. */
  private void relay(
      HttpServerExchange exchange,
      String storeKey,
      MasterClient.Located loc,
      ByteRange range,
      long length)
      throws IOException {
    String rangeHeader = range == null ? null : range.header();
    try (VolumeFetcher.Fetch fetch = openFast(storeKey, loc, rangeHeader, length)) {
      status(exchange, range, length);
      StreamSinkChannel out = exchange.getResponseChannel();
      fetch.transferTo(out);
      out.shutdownWrites();
      Channels.flushBlocking(out);
      exchange.endExchange();
    }
  }

  /**
   * {@link #openAny} through the {@link VolumeFetcher}: a replica must answer {@code length} bytes.
   */
  private VolumeFetcher.Fetch openFast(
      String storeKey, MasterClient.Located loc, String range, long length) throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> urls = urls(storeKey, loc);
    int gone = 0;
    for (String url : urls) {
      VolumeFetcher.Fetch fetch;
      try {
        fetch = fetcher.open(url, range);
      } catch (IOException e) {
        problems.add(url + ": " + e.getMessage());
        continue;
      }
      int expected = range == null ? 200 : 206;
      if (fetch.status == expected && fetch.length == length) {
        return fetch;
      }
      fetch.close();
      if (fetch.status == 404) {
        gone++;
      }
      problems.add(
          url
              + ": "
              + fetch.status
              + (fetch.status == expected
                  ? " with " + fetch.length + " bytes, not " + length
                  : ""));
    }
    return unreadable(storeKey, urls.size(), gone, problems);
  }

  private static List<String> urls(String storeKey, MasterClient.Located loc) {
    List<String> urls = new ArrayList<>();
    if (loc.location() != null) {
      urls.add(loc.location());
    }
    String path = KeyPath.of(storeKey);
    for (String replica : loc.replicas()) {
      String url = VolumeClient.url(replica, path);
      if (!urls.contains(url)) {
        urls.add(url);
      }
    }
    return urls;
  }

  private static <T> T unreadable(String storeKey, int replicas, int gone, List<String> problems) {
    if (gone == replicas) {
      throw S3Error.noSuchKey(storeKey.substring(storeKey.indexOf('/', 1) + 1));
    }
    LOG.warning("GET " + storeKey + ": no replica served it: " + String.join("; ", problems));
    throw S3Error.unavailable(
        "no replica of this key could be read: " + String.join("; ", problems));
  }

  /**
   * Opens the value on the replica the master chose, else on each other replica in turn: a volume
   * down or without the copy costs a fail-over, not the request.
   *
   * @throws S3Error 503 when no replica could serve it; NoSuchKey when every one says it is gone
   */
  Response openAny(String storeKey, MasterClient.Located loc, String range) throws IOException {
    List<String> urls = urls(storeKey, loc);
    List<String> problems = new ArrayList<>();
    int gone = 0;
    for (String url : urls) {
      Response response;
      try {
        response = master.open(url, range);
      } catch (IOException e) {
        problems.add(url + ": " + e.getMessage());
        continue;
      }
      int code = response.code();
      if (code == 200 && range == null || code == 206 && range != null) {
        return response;
      }
      response.close();
      if (code == 404) {
        gone++;
      }
      problems.add(url + ": " + code);
    }
    return unreadable(storeKey, urls.size(), gone, problems);
  }

  /** The size of a value whose record has none (rebuilt or adopted): a HEAD on a replica. */
  private long sizeFromReplica(String storeKey, MasterClient.Located loc) throws IOException {
    try (Response response = openAny(storeKey, loc, "bytes=0-0")) {
      String cr = response.header("Content-Range", "");
      int slash = cr.lastIndexOf('/');
      return slash < 0 ? response.body().contentLength() : Long.parseLong(cr.substring(slash + 1));
    }
  }

  static String etag(MasterClient.Located loc) {
    // A record without md5 (--no-md5, or rebuilt without --md5): stable for the value's life
    // anyway.
    return Replies.etag(
        loc.md5() != null
            ? loc.md5()
            : Long.toHexString(loc.size()) + "-" + Long.toHexString(loc.created()));
  }
}
