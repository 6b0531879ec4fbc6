package mkv.metrics;

import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.accesslog.AccessLogHandler;
import io.undertow.server.handlers.accesslog.AccessLogReceiver;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * {@code --access-log FILE} ({@code -} for stderr): one line per request in the common log format,
 * written by a background thread so that no request waits on the file; lines that find the queue
 * full are dropped and counted rather than slowing the server.
 */
public final class AccessLog implements AccessLogReceiver, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
  private static final String END = "";

  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(64 * 1024);
  private final Writer out;
  private final Thread writer;
  private long dropped;

  private AccessLog(Writer out) {
    this.out = out;
    this.writer = new Thread(this::drain, "access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Wraps {@code next} so that every request is logged to {@code target} (a file appended to, or
   * {@code -} for stderr); returns {@code next} itself when {@code target} is null.
   */
  public static HttpHandler wrap(
      HttpHandler next, String target, java.util.function.Consumer<AutoCloseable> owner)
      throws IOException {
    if (target == null || target.isEmpty()) {
      return next;
    }
    Writer w =
        target.equals("-")
            ? new OutputStreamWriter(System.err, StandardCharsets.UTF_8)
            : Files.newBufferedWriter(
                Path.of(target),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    AccessLog log = new AccessLog(new BufferedWriter(w));
    owner.accept(log);
    return new AccessLogHandler(next, log, "common", AccessLog.class.getClassLoader());
  }

  @Override
  public void logMessage(String message) {
    if (!lines.offer(message)) {
      synchronized (this) {
        dropped++;
      }
    }
  }

  private void drain() {
    try {
      while (true) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == END) {
          out.flush();
          return;
        }
        if (line == null) {
          out.flush(); // a quiet second: what was written is on its way to the file
          continue;
        }
        out.write(line);
        out.write('\n');
      }
    } catch (IOException e) {
      LOG.warning("access log: writing failed, no more lines will be written: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      lines.put(END);
      writer.join(2_000);
      out.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // closing anyway
    }
    synchronized (this) {
      if (dropped > 0) {
        LOG.warning("access log: " + dropped + " lines dropped (the file could not keep up)");
      }
    }
  }
}
