package mkv.volume;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
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
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * PUT of one file: body to a unique temp file in DIR/.tmp, fsync, rename over the target, fsync the
 * directory. Readers see the old file or the whole new one, never a part; a failed upload leaves
 * nothing behind.
 */
final class WriteHandler implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(WriteHandler.class.getName());

  private static final int BUFFER_SIZE = 256 * 1024;

  /** How long a read may wait for the next bytes of the body before the upload is abandoned. */
  private static final long READ_TIMEOUT_SECONDS = 120;

  private final Path root;
  private final Path tmpDir;
  // unique temp names: a per-process random prefix and a counter (never a name reused on overwrite)
  private final String prefix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final AtomicLong counter = new AtomicLong();
  private final ThreadLocal<ByteBuffer> buffers =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_SIZE));

  WriteHandler(Path root, Path tmpDir) {
    this.root = root;
    this.tmpDir = tmpDir;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    SafePath path = exchange.getAttachment(VolumeHandler.PATH);
    if (path.directory()) {
      throw new VolumeException(400, "cannot PUT a directory");
    }
    Path tmp = tmpDir.resolve(prefix + "-" + counter.incrementAndGet());
    boolean moved = false;
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        copyBody(exchange, out);
        out.force(true);
      }
      Deque<Path> created = moveIntoPlace(tmp, path.file());
      moved = true;
      // Every directory that changed is synced only now, deepest first: the first fsync commits the
      // file system's journal with all of them, so the others find nothing left to write.
      syncDirectory(path.file().getParent());
      while (!created.isEmpty()) {
        syncDirectory(created.pop().getParent());
      }
    } finally {
      if (!moved) {
        deleteQuietly(tmp);
      }
    }
    exchange.setStatusCode(201);
    exchange.setResponseContentLength(0);
    exchange.endExchange();
  }

  /**
   * Renames the temp file over {@code file}, creating its missing parents; returns those, deepest on
   * top. The rename is tried first: once a volume has been in use its directories exist, and a PUT
   * then costs no checks on them.
   */
  private Deque<Path> moveIntoPlace(Path tmp, Path file) throws IOException {
    try {
      // rename(2) replaces the target atomically; readers holding the old file keep reading it
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return new ArrayDeque<>();
    } catch (NoSuchFileException e) {
      Deque<Path> created = createParents(file.getParent());
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return created;
    } catch (FileSystemException e) {
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new VolumeException(409, "a directory exists at this path");
      }
      createParents(file.getParent()); // answers 409 when a file stands where a directory is needed
      throw e;
    }
  }

  /** Streams the whole request body into the file; throws if it ends early (undertow checks the length). */
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
    for (Path d = dir; d != null && d.startsWith(root) && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    Deque<Path> created = new ArrayDeque<>();
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      try {
        Files.createDirectory(d);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(d)) {
          throw new VolumeException(409, "a file exists where a directory is needed");
        }
      }
      created.push(d);
    }
    return created;
  }

  /** Makes a directory's entries (a rename, a new child) durable. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete temp file " + tmp + ": " + e.getMessage());
    }
  }
}
