package mkv.volume;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.sync.SyncMode;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * PUT of one file: body to a unique temp file in DIR/.tmp, renamed over the target, then made
 * durable as {@code --sync} says ({@link Durability}) before the 201. Readers see the old file or
 * the whole new one, never a part; a failed upload leaves nothing behind.
 *
 * <p>A body of known length up to {@link Protocol#SMALL_BODY} is received and written on the IO
 * thread, as nginx does: open, write, close and rename of a small file cost less than handing the
 * request to a worker and back, and the fsync, when the mode asks for one, is a group commit that
 * answers from its own thread. A larger or chunked body streams to disk on a worker thread.
 */
final class WriteHandler implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(WriteHandler.class.getName());

  private static final int BUFFER_SIZE = 256 * 1024;

  /** How long a read may wait for the next bytes of the body before the upload is abandoned. */
  private static final long READ_TIMEOUT_SECONDS = 120;

  private final Path root;
  private final Path tmpDir;
  private final Durability durability;
  // unique temp names: a per-process random prefix and a counter (never a name reused on overwrite)
  private final String prefix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final AtomicLong counter = new AtomicLong();
  private final ThreadLocal<ByteBuffer> buffers =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_SIZE));

  private final Fence fence;

  WriteHandler(Path root, Path tmpDir, Durability durability, Fence fence) {
    this.root = root;
    this.tmpDir = tmpDir;
    this.durability = durability;
    this.fence = fence;
  }

  /** Called on the IO thread. */
  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    SafePath path = exchange.getAttachment(VolumeHandler.PATH);
    if (path.directory()) {
      throw new HttpError(ErrorCode.BAD_PATH, "cannot PUT a directory");
    }
    Fence.Token token = fence.admit(exchange);
    long length = exchange.getRequestContentLength();
    if (durability.nonBlocking() && length >= 0 && length <= Protocol.SMALL_BODY) {
      exchange
          .getRequestReceiver()
          .receiveFullBytes(
              (x, body) -> writeSmall(x, path, token, body),
              (x, e) -> VolumeHandler.fail(x, path, e));
    } else {
      VolumeHandler.onWorker(exchange, path, x -> writeStreamed(x, token));
    }
  }

  /**
   * The whole body is here: write, rename, and answer once the write is durable. On the IO thread.
   */
  private void writeSmall(
      HttpServerExchange exchange, SafePath path, Fence.Token token, byte[] body) {
    Path tmp = newTemp();
    try {
      try (FileChannel out =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
          out.write(b);
        }
      }
      // new directories need no fsync of their own: the flush covers them
      fence.guard(token, () -> moveIntoPlace(tmp, path.file()));
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp); // before answering: a client that sees the failure sees no leftover
      VolumeHandler.fail(exchange, path, e);
      return;
    }
    if (durability.mode() != SyncMode.ALWAYS) {
      durability.afterRename(() -> created(exchange), e -> VolumeHandler.fail(exchange, path, e));
      return;
    }
    // The answer comes from the flush thread: keep the exchange open past this call, and answer on
    // its IO thread.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            durability.afterRename(
                () -> exchange.getIoThread().execute(() -> created(exchange)),
                e -> exchange.getIoThread().execute(() -> VolumeHandler.fail(exchange, path, e))));
  }

  /** A body of unknown or large size, streamed to disk on a worker thread. */
  private void writeStreamed(HttpServerExchange exchange, Fence.Token token) throws IOException {
    SafePath path = exchange.getAttachment(VolumeHandler.PATH);
    Path tmp = newTemp();
    boolean moved = false;
    try {
      try (FileChannel out =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        copyBody(exchange, out);
        durability.beforeRename(out);
      }
      Deque<Path> created = fence.guard(token, () -> moveIntoPlace(tmp, path.file()));
      moved = true;
      durability.afterRename(path.file().getParent(), created);
    } finally {
      if (!moved) {
        deleteQuietly(tmp);
      }
    }
    created(exchange);
  }

  private static void created(HttpServerExchange exchange) {
    exchange.setStatusCode(201);
    exchange.setResponseContentLength(0);
    exchange.endExchange();
  }

  private Path newTemp() {
    return tmpDir.resolve(prefix + "-" + counter.incrementAndGet());
  }

  /**
   * Renames the temp file over {@code file}, creating its missing parents; returns those, deepest
   * on top. The rename is tried first: once a volume has been in use its directories exist, and a
   * PUT then costs no checks on them. The first tries go through java.io.File, which answers a
   * failure with false where java.nio.file throws: a fresh key's folders cost no exception and
   * stack trace.
   */
  private Deque<Path> moveIntoPlace(Path tmp, Path file) throws IOException {
    // rename(2) replaces the target atomically; readers holding the old file keep reading it
    if (tmp.toFile().renameTo(file.toFile())) {
      return new ArrayDeque<>();
    }
    Deque<Path> created =
        createParents(file.getParent()); // 409 when a file stands where a directory is needed
    try {
      Files.move(
          tmp,
          file,
          StandardCopyOption.ATOMIC_MOVE); // a failure now is a real one: its exception says which
      return created;
    } catch (FileSystemException e) {
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new HttpError(ErrorCode.PATH_CONFLICT, "a directory exists at this path");
      }
      throw e;
    }
  }

  /**
   * Streams the whole request body into the file; throws if it ends early (undertow checks the
   * length).
   */
  private void copyBody(HttpServerExchange exchange, FileChannel out) throws IOException {
    StreamSourceChannel in = exchange.getRequestChannel();
    if (in == null) {
      throw new IOException("request body already consumed");
    }
    ByteBuffer buf = buffers.get();
    buf.clear();
    int n;
    // ends at the end of the body, or throws: early close, short body, bad chunking, timeout
    while ((n = Channels.readBlocking(in, buf, READ_TIMEOUT_SECONDS, TimeUnit.SECONDS)) >= 0) {
      if (n == 0) {
        throw new IOException("timed out reading the request body");
      }
      if (!buf.hasRemaining()) {
        drain(buf, out);
      }
    }
    drain(buf, out);
  }

  private static void drain(ByteBuffer buf, FileChannel out) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    buf.clear();
  }

  /**
   * Creates missing parents top-down; returns them, deepest on top, for the caller to sync their
   * parents. One a concurrent PUT created in the meantime is returned too: that PUT may not have
   * synced it yet when this one answers.
   */
  private Deque<Path> createParents(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir;
        d != null && d.startsWith(root) && !d.toFile().isDirectory();
        d = d.getParent()) {
      missing.push(d);
    }
    Deque<Path> created = new ArrayDeque<>();
    while (!missing.isEmpty()) {
      File d = missing.peek().toFile();
      if (!d.mkdir() && !d.isDirectory()) { // not created, and not by a concurrent PUT either
        if (d.exists()) {
          throw new HttpError(ErrorCode.PATH_CONFLICT, "a file exists where a directory is needed");
        }
        Files.createDirectory(missing.peek()); // fails again, with the reason
      }
      created.push(missing.pop());
    }
    return created;
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete temp file " + tmp + ": " + e.getMessage());
    }
  }
}
