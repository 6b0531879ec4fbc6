package mkv.s3;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mkv.client.AsyncClient;
import mkv.client.NoDelaySocketFactory;
import mkv.http.ErrorCode;
import mkv.http.Protocol;
import mkv.s3.auth.SigV4;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.xnio.XnioIoThread;

/**
 * The gateway's client of the master: where a key is (with its size, md5 and metadata), listing
 * pages, streamed writes, deletes; blocking through okhttp, or from an IO thread through {@link
 * AsyncClient}. Its okhttp client also serves the gateway's other calls (a replica's copy, the
 * local volumes' probes). Every call is bounded: connecting by the connect timeout, and any
 * transfer that makes no progress by the stall timeout. A refusal is a {@link MasterException} with
 * the master's {@code Mkv-Error} code.
 *
 * <p>Every request to the master goes through {@link #call} or {@link #send}, and every answer that
 * is not what was asked for through {@link #failure}: with several masters (one leading), those are
 * where the client would pick the master and follow the leader.
 */
final class MasterClient {
  static final MediaType OCTETS = MediaType.get("application/octet-stream");
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final String base;
  private final String server;
  private final OkHttpClient http;
  private final AsyncClient async;

  MasterClient(String base, Duration connect, Duration stall) {
    this.base = base;
    this.server = base.substring(base.indexOf("://") + 3);
    this.async = new AsyncClient(connect, stall);
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(connect)
            .readTimeout(stall)
            .writeTimeout(stall)
            .followRedirects(false)
            .retryOnConnectionFailure(
                true) // stale pooled connections; one-shot bodies are never retried
            .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
            // headers and body go out in separate writes: with Nagle on, the body waits for an ACK
            .socketFactory(new NoDelaySocketFactory())
            .build();
  }

  OkHttpClient http() {
    return http;
  }

  /**
   * Where a key is, as the master's 302 says.
   *
   * @param location the replica URL the master chose
   * @param replicas every replica of the record ({@code host:port[/folder]}), for fail-over
   * @param md5 lowercase hex, or null when the master keeps none
   * @param size bytes, -1 when unknown
   * @param created epoch milliseconds, 0 when unknown
   * @param meta the {@code Mkv-Meta} kept with the value, or null
   */
  record Located(
      String location, List<String> replicas, String md5, long size, long created, String meta) {}

  /** The outcome of a call made from an IO thread, run on that thread: a value, or the failure. */
  @FunctionalInterface
  interface Answer<T> {
    void done(T value, IOException failure);
  }

  /** The key's whereabouts, or null when it does not exist (or is unlinked). */
  Located locate(String key) throws IOException {
    try (Response response =
        call(path(key), new Request.Builder().header(Protocol.DETAIL.toString(), "1").get())) {
      if (response.code() == 404) {
        return null;
      }
      if (response.code() != 302) {
        throw failure(response);
      }
      return located(response::header);
    }
  }

  /** {@link #locate} from an IO thread, blocking none. */
  void locate(XnioIoThread thread, String key, Answer<Located> then) {
    send(
        thread,
        "GET",
        path(key),
        Map.of(Protocol.DETAIL.toString(), "1"),
        null,
        (reply, failed) -> {
          if (failed != null) {
            then.done(null, failed);
          } else if (reply.status() == 404) {
            then.done(null, null);
          } else if (reply.status() != 302) {
            then.done(null, failure(reply));
          } else {
            then.done(located(reply::header), null);
          }
        });
  }

  private static Located located(Function<String, String> header) {
    String volumes = header.apply(Protocol.KEY_VOLUMES.toString());
    return new Located(
        header.apply("Location"),
        volumes == null || volumes.isEmpty() ? List.of() : List.of(volumes.split(",")),
        header.apply(Protocol.CONTENT_MD5.toString()),
        number(header.apply(Protocol.SIZE.toString()), -1),
        number(header.apply(Protocol.CREATED.toString()), 0),
        header.apply(Protocol.META.toString()));
  }

  /** One entry of a detailed listing. */
  record Entry(String key, long size, String md5, long created, String meta) {}

  /** A listing page: its entries, and the key the next page starts at ("" when done). */
  record Page(List<Entry> entries, String next) {}

  /**
   * The live keys starting with {@code prefix}, from {@code start} (inclusive, or null), at most
   * {@code limit}.
   */
  Page list(String prefix, String start, int limit) throws IOException {
    String target =
        path(prefix)
            + "?list&detail&limit="
            + limit
            + (start == null || start.isEmpty() ? "" : "&start=" + SigV4.uriEncode(start, true));
    try (Response response = call(target, new Request.Builder().get())) {
      if (response.code() != 200) {
        throw failure(response);
      }
      var tree = JSON.readTree(response.body().byteStream());
      List<Entry> entries = new ArrayList<>();
      for (var e : tree.path("entries")) {
        entries.add(
            new Entry(
                e.path("key").asText(),
                e.path("size").asLong(-1),
                e.hasNonNull("md5") ? e.get("md5").asText() : null,
                e.path("created").asLong(0),
                e.hasNonNull("meta") ? e.get("meta").asText() : null));
      }
      return new Page(entries, tree.path("next").asText(""));
    }
  }

  /** What a write stored: its md5 (the ETag). */
  record Stored(String md5) {}

  /**
   * Streams {@code body} ({@code length} bytes, known in advance) to {@code key} through the
   * master. A body that fails (its checks, or the client's connection) ends the upload short: the
   * master keeps nothing.
   *
   * @param overwrite whether a live key may be replaced ({@code Mkv-Overwrite})
   * @throws MasterException the master's refusal ({@code bad-digest}, {@code key-busy}, {@code
   *     too-long}, a volume's failure...)
   */
  Stored put(
      String key, InputStream body, long length, String contentMd5, String meta, boolean overwrite)
      throws IOException {
    Request.Builder r =
        new Request.Builder()
            .headers(Headers.of(writeHeaders(length, contentMd5, meta, overwrite)))
            .put(new StreamBody(body, length));
    try (Response response = call(path(key), r)) {
      if (response.code() != 201) {
        throw failure(response);
      }
      return new Stored(response.header(Protocol.CONTENT_MD5.toString()));
    }
  }

  /** {@link #put} of a value held whole, from an IO thread, blocking none. */
  void put(
      XnioIoThread thread,
      String key,
      byte[] value,
      String contentMd5,
      String meta,
      boolean overwrite,
      Answer<Stored> then) {
    send(
        thread,
        "PUT",
        path(key),
        writeHeaders(value.length, contentMd5, meta, overwrite),
        value,
        (reply, failed) -> {
          if (failed != null) {
            then.done(null, failed);
          } else if (reply.status() != 201) {
            then.done(null, failure(reply));
          } else {
            then.done(new Stored(reply.header(Protocol.CONTENT_MD5.toString())), null);
          }
        });
  }

  private static Map<String, String> writeHeaders(
      long length, String contentMd5, String meta, boolean overwrite) {
    Map<String, String> h = new LinkedHashMap<>();
    if (contentMd5 != null) {
      h.put(Protocol.CONTENT_MD5.toString(), contentMd5);
    }
    if (meta != null) {
      h.put(Protocol.META.toString(), meta);
    }
    if (overwrite) {
      h.put(Protocol.OVERWRITE.toString(), "1");
    }
    if (length == 0) {
      h.put(Protocol.EMPTY.toString(), "1");
    }
    return h;
  }

  /**
   * Deletes {@code key}; false when it did not exist. With {@code --protect} on the master, unlinks
   * it instead.
   */
  boolean delete(String key) throws IOException {
    try (Response response = call(path(key), new Request.Builder().delete())) {
      if (response.code() == 204) {
        return true;
      }
      if (response.code() == 404) {
        return false;
      }
      MasterException refused = failure(response);
      if (refused.reason() == ErrorCode.PROTECTED) {
        return unlink(key); // --protect: S3's delete becomes the soft delete it allows
      }
      throw refused;
    }
  }

  private boolean unlink(String key) throws IOException {
    try (Response response = call(path(key), new Request.Builder().method("UNLINK", null))) {
      if (response.code() == 204 || response.code() == 404) {
        return response.code() == 204;
      }
      throw failure(response);
    }
  }

  /** Opens a replica's copy; the caller closes the response. */
  Response open(String url, String range) throws IOException {
    Request.Builder b = new Request.Builder().url(url).get();
    if (range != null) {
      b.header("Range", range);
    }
    return http.newCall(b.build()).execute();
  }

  /** The URL path of a key, percent-encoded ({@code /} kept). */
  static String path(String key) {
    return SigV4.uriEncode(key, false);
  }

  private static long number(String s, long otherwise) {
    try {
      return s == null ? otherwise : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  /** Sends {@code request} to the master's {@code target} (path and query); closes nothing. */
  private Response call(String target, Request.Builder request) throws IOException {
    return http.newCall(request.url(base + target).build()).execute();
  }

  /** {@link #call} from an IO thread: {@code done} runs on it. */
  private void send(
      XnioIoThread thread,
      String method,
      String target,
      Map<String, String> headers,
      byte[] body,
      AsyncClient.ReplyCallback done) {
    async.send(thread, server, method, target, headers, body, done);
  }

  /** An answer that is not what was asked for: the master's refusal, with its code. */
  private static MasterException failure(Response response) {
    String line;
    try {
      line = response.body().string().strip();
    } catch (IOException ignored) {
      line = ""; // the status and the code say enough
    }
    return failure(response.code(), response.header(Protocol.ERROR.toString()), line);
  }

  private static MasterException failure(AsyncClient.Reply reply) {
    return failure(reply.status(), reply.header(Protocol.ERROR.toString()), reply.text());
  }

  private static MasterException failure(int status, String code, String line) {
    String text = line.length() > 300 ? line.substring(0, 300) : line;
    return new MasterException(
        status, ErrorCode.of(code), "master: " + status + (text.isEmpty() ? "" : " " + text));
  }

  /** A one-shot streamed body of known length. */
  private static final class StreamBody extends RequestBody {
    private final InputStream in;
    private final long length;

    StreamBody(InputStream in, long length) {
      this.in = in;
      this.length = length;
    }

    @Override
    public MediaType contentType() {
      return OCTETS;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] buf =
          new byte[(int) Math.max(1, Math.min(64 * 1024, length))]; // a small PUT zeroes no 64 KiB
      long left = length;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new java.io.EOFException("the body ended " + left + " bytes short");
        }
        sink.write(buf, 0, n);
        left -= n;
      }
    }
  }
}
