package mkv.volume;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Non-blocking zero-copy body transfer: {@code StreamSinkChannel.transferFrom} (sendfile(2)) as far
 * as the socket takes it, then again from the IO thread each time the socket is writable. Owns and
 * closes the file, and ends the exchange.
 */
public final class FileTransfer implements ChannelListener<StreamSinkChannel> {
  private static final Logger LOG = Logger.getLogger(FileTransfer.class.getName());

  private final HttpServerExchange exchange;
  private final FileChannel file;
  private final String display;
  private long position;
  private long remaining;
  private boolean headFirst;

  private FileTransfer(
      HttpServerExchange exchange, FileChannel file, long position, long count, String display) {
    this.exchange = exchange;
    this.file = file;
    this.position = position;
    this.remaining = count;
    this.display = display;
  }

  /**
   * Starts sending {@code count} bytes of {@code file} from {@code position}; headers must be set.
   */
  public static void start(
      HttpServerExchange exchange, FileChannel file, long position, long count, String display)
      throws IOException {
    FileTransfer transfer = new FileTransfer(exchange, file, position, count, display);
    // With the headers still pending, undertow's conduit sends the file to its end whatever the
    // count:
    // a range that stops short of the end would send bytes past its Content-Length, which the next
    // answer on a kept-alive connection would start with. Such a range sends its headers first.
    transfer.headFirst = position + count < file.size();
    transfer.handleEvent(exchange.getResponseChannel());
  }

  @Override
  public void handleEvent(StreamSinkChannel sink) {
    try {
      if (headFirst) {
        if (!sink.flush()) {
          sink.getWriteSetter().set(this);
          sink.resumeWrites();
          return;
        }
        headFirst = false;
      }
      while (remaining > 0) {
        // undertow's response conduit reads from the channel's own position while the headers are
        // still pending, despite the explicit one: keep the two in step (found by the range tests)
        file.position(position);
        long n = sink.transferFrom(file, position, remaining);
        if (n == 0) {
          // socket full: continue when writable (undertow resumes after the handler returns)
          sink.getWriteSetter().set(this);
          sink.resumeWrites();
          return;
        }
        position += n;
        remaining -= n;
      }
      sink.suspendWrites();
      sink.getWriteSetter().set(null);
      IoUtils.safeClose(file);
      exchange.endExchange();
    } catch (IOException | RuntimeException e) {
      // a client that goes away mid-body is normal; anything else is worth a line
      LOG.log(Level.FINE, () -> "GET " + display + ": transfer failed: " + e);
      IoUtils.safeClose(file);
      IoUtils.safeClose(exchange.getConnection());
    }
  }
}
