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
import org.xnio.IoUtils;

/**
 * The root handler: moves all but file reads off the IO thread, maps the raw path through {@link SafePath},
 * picks the handler for the method, and is the one place where failures become responses.
 */
final class VolumeHandler implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(VolumeHandler.class.getName());

  static final AttachmentKey<SafePath> PATH = AttachmentKey.create(SafePath.class);

  static final String ALLOW = "GET, HEAD, PUT, DELETE";

  private final Path root;
  private final HttpHandler read;
  private final HttpHandler list;
  private final HttpHandler write;
  private final HttpHandler delete;

  VolumeHandler(Path root, Path tmpDir) {
    this.root = root;
    this.read = new ReadHandler();
    this.list = new ListHandler();
    this.write = new WriteHandler(root, tmpDir);
    this.delete = new DeleteHandler();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    HttpHandler next;
    SafePath path = null;
    try {
      HttpString method = exchange.getRequestMethod();
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
        throw new VolumeException(405, "method not allowed");
      }
    } catch (RuntimeException e) {
      fail(exchange, path, e);
      return;
    }
    exchange.putAttachment(PATH, path);
    // A GET or HEAD of a file stays on the IO thread, as in nginx: stat and open of a cached inode
    // cost less than the hand-off to a worker and back, which cut 1 MiB GETs from ~4,000 to ~2,850
    // a second here; the body goes out with non-blocking sendfile (FileTransfer). Writes, deletes
    // and directory listings (fsync, unlink, walking a directory) are dispatched to a worker.
    if (next != read && exchange.isInIoThread()) {
      SafePath p = path;
      exchange.dispatch(() -> serve(exchange, next, p));
    } else {
      serve(exchange, next, path);
    }
  }

  private static void serve(HttpServerExchange exchange, HttpHandler next, SafePath path) {
    try {
      next.handleRequest(exchange);
    } catch (Exception e) {
      // Errors (out of memory...) go on to undertow, which answers 500 and logs them
      fail(exchange, path, e);
    }
  }

  private SafePath parse(HttpServerExchange exchange) {
    // DECODE_URL is off, so this is the path exactly as the client sent it (query string removed).
    return SafePath.parse(root, exchange.getRequestPath());
  }

  private static void fail(HttpServerExchange exchange, SafePath path, Throwable t) {
    VolumeException failure = VolumeException.of(t);
    String what = exchange.getRequestMethod() + " "
        + (path != null ? path.display() : exchange.getRequestPath());
    if (failure.status() >= 500) {
      // IO errors are expected in operation (disconnects, full disks): no stack trace for them
      LOG.log(Level.WARNING, what + ": " + failure.getMessage(),
          t instanceof java.io.IOException || t instanceof VolumeException ? null : t);
    } else {
      LOG.log(Level.FINE, () -> what + ": " + failure.status() + " " + failure.getMessage());
    }
    if (exchange.isResponseStarted()) {
      // Headers are out: the only honest signal left is a cut connection (short body / bad chunking).
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    if (failure.status() >= 500 || !exchange.isRequestComplete()) {
      // An unread request body (a failed upload) must not be drained: drop the connection after answering.
      exchange.setPersistent(false);
    }
    byte[] body = (failure.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.setStatusCode(failure.status());
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }
  }
}
