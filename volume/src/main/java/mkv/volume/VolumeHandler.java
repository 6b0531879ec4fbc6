package mkv.volume;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.http.Blocking;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import org.xnio.IoUtils;

/**
 * The root handler: maps the raw path through {@link SafePath}, picks the handler for the method
 * (on the IO thread, or a worker for what may block), and is the one place where failures become
 * responses.
 */
final class VolumeHandler implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(VolumeHandler.class.getName());

  static final AttachmentKey<SafePath> PATH = AttachmentKey.create(SafePath.class);

  static final String ALLOW = "GET, HEAD, PUT, DELETE";

  /**
   * Below this much free space {@code HEAD /} says the disk is full (507), so the master sends no
   * writes.
   */
  static final long FULL_BELOW = 64 * 1024;

  private final Path root;
  private final java.nio.file.FileStore store;
  private final HttpHandler read;
  private final HttpHandler list;
  private final HttpHandler write;
  private final HttpHandler delete;

  private final mkv.metrics.Metrics metrics;

  VolumeHandler(Path root, Path tmpDir, Durability durability, mkv.metrics.Metrics metrics) {
    this.root = root;
    this.metrics = metrics;
    java.nio.file.FileStore fs;
    try {
      fs = java.nio.file.Files.getFileStore(root);
    } catch (java.io.IOException e) {
      fs = null; // then HEAD / cannot tell a full disk; a write still answers 507
    }
    this.store = fs;
    this.read = new ReadHandler();
    this.list = new ListHandler();
    Fence fence = new Fence(root);
    this.write = new WriteHandler(root, tmpDir, durability, fence);
    this.delete = new DeleteHandler(fence);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    HttpHandler next;
    SafePath path = null;
    try {
      HttpString method = exchange.getRequestMethod();
      if (method.equals(Methods.GET) && exchange.getRequestPath().equals(Protocol.METRICS)) {
        onWorker(exchange, null, metrics::serve); // no key is stored at the root: the name is free
        return;
      }
      if (method.equals(Methods.GET) || method.equals(Methods.HEAD)) {
        path = parse(exchange);
        next = path.directory() ? list : read;
      } else if (method.equals(Methods.PUT)) {
        path = parse(exchange);
        next = write;
      } else if (method.equals(Methods.DELETE)) {
        path = parse(exchange);
        next = delete;
      } else {
        exchange.getResponseHeaders().put(Headers.ALLOW, ALLOW);
        throw new HttpError(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed");
      }
    } catch (RuntimeException e) {
      fail(exchange, path, e);
      return;
    }
    exchange.putAttachment(PATH, path);
    // GET and HEAD of a file, DELETE, and the start of a PUT stay on the IO thread, as in nginx:
    // stat, open, unlink and rename of a cached inode cost less than the hand-off to a worker and
    // back; bodies go out with non-blocking sendfile (FileTransfer), and WriteHandler moves large
    // bodies to a worker itself.
    // Directory listings walk a whole directory: a worker.
    if (next == list
        && exchange.getRequestMethod().equals(Methods.HEAD)
        && exchange.getRequestPath().equals("/")) {
      onWorker(exchange, path, this::health);
    } else if (next == list) {
      onWorker(exchange, path, list::handleRequest);
    } else {
      SafePath parsed = path;
      Blocking.here(exchange, next::handleRequest, (x, e) -> fail(x, parsed, e));
    }
  }

  /**
   * {@code HEAD /}, the master's health check: 507 when the disk is full, 503 when the data
   * directory cannot be written (a read-only file system), else the listing's headers (200).
   */
  private void health(HttpServerExchange exchange) throws Exception {
    // Answered here, not as a failure: a check every second must not log a warning every second.
    int status =
        store != null && store.getUsableSpace() < FULL_BELOW
            ? 507
            : !java.nio.file.Files.isWritable(root) ? 503 : 200;
    if (status == 200) {
      list.handleRequest(exchange);
      return;
    }
    exchange.setStatusCode(status);
    // Tells this 503 (serving reads, refusing writes) from that of a server that is stopping.
    exchange.getResponseHeaders().put(Protocol.READ_ONLY, "1");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
    exchange.endExchange();
  }

  /** Runs {@code work} on a worker thread (at once when already on one), answering its failure. */
  static void onWorker(HttpServerExchange exchange, SafePath path, Blocking.Work work) {
    Blocking.run(exchange, work, (x, e) -> fail(x, path, e));
  }

  private SafePath parse(HttpServerExchange exchange) {
    // DECODE_URL is off, so this is the path exactly as the client sent it (query string removed).
    return SafePath.parse(root, exchange.getRequestPath());
  }

  /**
   * Answers a failure: one-line body, status from {@link Failures#of}, connection dropped if the
   * body is unread.
   */
  static void fail(HttpServerExchange exchange, SafePath path, Throwable t) {
    HttpError failure = Failures.of(t);
    String what =
        exchange.getRequestMethod()
            + " "
            + (path != null ? path.display() : exchange.getRequestPath());
    if (failure.status() >= 500) {
      // IO errors are expected in operation (disconnects, full disks): no stack trace for them
      LOG.log(
          Level.WARNING,
          what + ": " + failure.getMessage(),
          t instanceof java.io.IOException || t instanceof HttpError ? null : t);
    } else {
      LOG.log(Level.FINE, () -> what + ": " + failure.status() + " " + failure.getMessage());
    }
    if (exchange.isResponseStarted()) {
      // Headers are out: the only honest signal left is a cut connection (short body / bad
      // chunking).
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    if (failure.status() >= 500 || !exchange.isRequestComplete()) {
      // An unread request body (a failed upload) must not be drained: drop the connection after
      // answering.
      exchange.setPersistent(false);
    }
    byte[] body = (failure.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.setStatusCode(failure.status());
    exchange.getResponseHeaders().put(Protocol.ERROR, failure.code().code());
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }
  }
}
