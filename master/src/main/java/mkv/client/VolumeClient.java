package mkv.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mkv.http.Protocol;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Talks to volume servers (ours or stock nginx): put, get, head, delete, list, ping.
 *
 * <p>Every call is bounded: connecting and health checks by {@code connectTimeout}, and a transfer
 * that makes no progress for {@code stallTimeout} fails. One instance per process shares one
 * connection pool.
 */
public final class VolumeClient {
  static final MediaType OCTETS = MediaType.get("application/octet-stream");
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final OkHttpClient http;
  private final OkHttpClient ping;
  private final ExecutorService replicaWriters;

  public VolumeClient(Duration connectTimeout, Duration stallTimeout) {
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(connectTimeout)
            .readTimeout(stallTimeout)
            .writeTimeout(stallTimeout)
            .followRedirects(false)
            .retryOnConnectionFailure(
                true) // stale pooled connections; one-shot PUT bodies are never retried
            .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
            .socketFactory(new NoDelaySocketFactory())
            .build();
    this.ping = http.newBuilder().callTimeout(connectTimeout).build();
    AtomicInteger n = new AtomicInteger();
    this.replicaWriters =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "replica-writer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Streams {@code source} to {@code path} on every replica in parallel, never holding the value in
   * memory: each chunk read is handed to every replica's connection before the next is read.
   * Returns only when every replica answered success (the volume has the value durably).
   *
   * @param length the source's length if known (sent as Content-Length), else -1 (chunked)
   * @param required how many replicas must succeed; those that fail while enough remain are listed
   *     in {@link Written#failed()}
   * @throws SourceException when reading the source fails or it ends short of {@code length}
   * @throws VolumeException naming the first replica that failed, once fewer than {@code required}
   *     can succeed; the others are cancelled. Some replicas may hold a complete copy (the volume
   *     answered, but too late): the caller removes them ({@link #deleteAll}).
   */
  public Written putAll(
      List<String> replicas,
      String path,
      InputStream source,
      long length,
      boolean md5,
      int required)
      throws IOException {
    return new Fanout(this, replicas, path, source, length, md5, required).run();
  }

  /** {@link #putAll(List, String, InputStream, long, boolean, int)} requiring every replica. */
  public Written putAll(
      List<String> replicas, String path, InputStream source, long length, boolean md5)
      throws IOException {
    return putAll(replicas, path, source, length, md5, replicas.size());
  }

  /** Stores {@code source} at {@code path} on one replica. */
  public void put(String replica, String path, RequestBody body) throws VolumeException {
    Request request = new Request.Builder().url(url(replica, path)).put(body).build();
    call(replica, "PUT", http.newCall(request), 200, 201, 204).close();
  }

  Call newPut(String replica, String path, RequestBody body) {
    return http.newCall(new Request.Builder().url(url(replica, path)).put(body).build());
  }

  ExecutorService replicaWriters() {
    return replicaWriters;
  }

  /**
   * Deletes {@code path} from a replica.
   *
   * @return true if it was deleted, false if it was not there
   */
  public boolean delete(String replica, String path) throws VolumeException {
    Request request = new Request.Builder().url(url(replica, path)).delete().build();
    try (Response r = call(replica, "DELETE", http.newCall(request), 200, 202, 204, 404)) {
      return r.code() != 404;
    }
  }

  /**
   * Deletes {@code path} from every replica in parallel, a missing file counting as deleted.
   *
   * @return the failures, empty when every replica is clean
   */
  public List<VolumeException> deleteAll(List<String> replicas, String path) {
    return onEach(replicas, r -> delete(r, path));
  }

  /** One request to one replica; its failure names the replica. */
  @FunctionalInterface
  interface ReplicaCall {
    void run(String replica) throws VolumeException;
  }

  /**
   * Runs {@code call} on every replica in parallel, the calling thread taking the first itself (one
   * hand-off fewer, most of the cost of a small request), and waits for all.
   *
   * @return the failures in replica order, empty when every call succeeded
   */
  List<VolumeException> onEach(List<String> replicas, ReplicaCall call) {
    List<Future<VolumeException>> others = new ArrayList<>();
    for (String r : replicas.subList(Math.min(1, replicas.size()), replicas.size())) {
      others.add(replicaWriters.submit(() -> failureOf(call, r)));
    }
    List<VolumeException> failures = new ArrayList<>();
    if (!replicas.isEmpty()) {
      addIfFailed(failures, failureOf(call, replicas.get(0)));
    }
    for (int i = 0; i < others.size(); i++) {
      try {
        addIfFailed(failures, others.get(i).get());
      } catch (InterruptedException | ExecutionException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        failures.add(new VolumeException(replicas.get(i + 1), 0, "not awaited: " + e, e));
      }
    }
    return failures;
  }

  private static VolumeException failureOf(ReplicaCall call, String replica) {
    try {
      call.run(replica);
      return null;
    } catch (VolumeException e) {
      return e;
    }
  }

  private static void addIfFailed(List<VolumeException> failures, VolumeException e) {
    if (e != null) {
      failures.add(e);
    }
  }

  /** The size of {@code path} on a replica, or -1 if it is not there. */
  public long size(String replica, String path) throws VolumeException {
    Request request = new Request.Builder().url(url(replica, path)).head().build();
    try (Response r = call(replica, "HEAD", http.newCall(request), 200, 404)) {
      if (r.code() == 404) {
        return -1;
      }
      String length = r.header("Content-Length");
      return length == null ? -1 : Long.parseLong(length);
    }
  }

  /**
   * Opens {@code path} on a replica for reading; the caller closes the response. Null if missing.
   */
  public Response open(String replica, String path) throws VolumeException {
    Request request = new Request.Builder().url(url(replica, path)).get().build();
    Response r = call(replica, "GET", http.newCall(request), 200, 404);
    if (r.code() == 404) {
      r.close();
      return null;
    }
    return r;
  }

  /** The md5 (hex) of {@code path} on a replica, read once; null if it is not there. */
  public String md5(String replica, String path) throws VolumeException {
    try (Response r = open(replica, path)) {
      if (r == null) {
        return null;
      }
      var digest = KeyPath.md5();
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = r.body().byteStream()) {
        for (int n; (n = in.read(buf)) > 0; ) {
          digest.update(buf, 0, n);
        }
      } catch (IOException e) {
        throw new VolumeException(replica, 0, "GET failed mid-body: " + e.getMessage(), e);
      }
      return java.util.HexFormat.of().formatHex(digest.digest());
    }
  }

  /**
   * Lists a directory ({@code dir} ends with {@code /}) of a volume server.
   *
   * @return the entries, or null when the directory does not exist
   */
  public List<AutoindexEntry> list(String server, String dir) throws VolumeException {
    Request request = new Request.Builder().url(url(server, dir)).get().build();
    try (Response r = call(server, "GET", http.newCall(request), 200, 404)) {
      if (r.code() == 404) {
        return null;
      }
      return List.of(JSON.readValue(r.body().byteStream(), AutoindexEntry[].class));
    } catch (VolumeException e) {
      throw e;
    } catch (IOException e) {
      throw new VolumeException(
          server, 0, "listing " + dir + " is not autoindex JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Asks a volume server {@code HEAD /} within the connect timeout: 200 when it takes writes, 507
   * when its disk is full, 503 when it cannot write (it still serves reads, and says so with {@code
   * Mkv-Read-Only}; any other 503, from a server stopping, fails like no answer).
   */
  public int ping(String server) throws VolumeException {
    Request request = new Request.Builder().url("http://" + server + "/").head().build();
    try (Response r = call(server, "HEAD", ping.newCall(request), 200, 503, 507)) {
      if (r.code() != 200 && r.header(Protocol.READ_ONLY.toString()) == null) {
        // not a volume refusing writes but one stopping (or something else answering): down
        throw new VolumeException(server, r.code(), r.code() + " on HEAD /", null);
      }
      return r.code();
    }
  }

  /**
   * A server's {@code /metrics} text (Prometheus), within the connect timeout, or null when it has
   * none (a stock nginx volume answers 404 or 405).
   */
  public String metrics(String server) throws VolumeException {
    Request request = new Request.Builder().url("http://" + server + Protocol.METRICS).build();
    try (Response r = call(server, "GET", ping.newCall(request), 200, 404, 405)) {
      return r.code() == 200 ? r.body().string() : null;
    } catch (VolumeException e) {
      throw e;
    } catch (IOException e) {
      throw new VolumeException(server, 0, "reading /metrics: " + e.getMessage(), e);
    }
  }

  /** The URL of {@code path} on a replica ({@code host:port[/svXX]}): the one place it is built. */
  public static String url(String replica, String path) {
    return "http://" + replica + path;
  }

  /** Executes a call and checks its status; the caller closes the response. */
  Response call(String volume, String method, Call call, int... ok) throws VolumeException {
    Response r;
    long start = System.nanoTime();
    try {
      r = call.execute();
    } catch (InterruptedIOException e) {
      // how okhttp says one of its time-outs fired (connect, read, write, or the whole call)
      throw new VolumeException(
          volume,
          new TimeoutException(
              Placement.server(volume), "on " + method + " (" + e.getMessage() + ")", e));
    } catch (IOException e) {
      throw new VolumeException(
          volume,
          0,
          method
              + " failed after "
              + (System.nanoTime() - start) / 1_000_000
              + " ms: "
              + e.getMessage(),
          e);
    }
    for (int code : ok) {
      if (r.code() == code) {
        return r;
      }
    }
    String detail = firstLine(r.body());
    r.close();
    throw new VolumeException(
        volume,
        r.code(),
        r.code() + " on " + method + (detail.isEmpty() ? "" : " (" + detail + ")"),
        null);
  }

  private static String firstLine(ResponseBody body) {
    try {
      String s = body.source().readUtf8Line();
      return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s.strip();
    } catch (IOException e) {
      return "";
    }
  }
}
