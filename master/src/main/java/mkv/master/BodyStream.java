package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * A request body as a blocking stream whose reads fail once no byte has come for the stall timeout.
 *
 * <p>The bound is kept here, on the one request that streams a body, rather than as a socket read
 * time-out on every connection: that would arm and cancel a timer on each read of every GET.
 */
final class BodyStream extends InputStream {
  private final StreamSourceChannel channel;
  private final long timeoutMillis;

  BodyStream(HttpServerExchange exchange, Duration stallTimeout) throws IOException {
    this.channel = exchange.getRequestChannel();
    if (channel == null) {
      throw new IOException("the request body was already read");
    }
    this.timeoutMillis = stallTimeout.toMillis();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    int n =
        Channels.readBlocking(
            channel, ByteBuffer.wrap(b, off, len), timeoutMillis, TimeUnit.MILLISECONDS);
    if (n == 0) {
      throw new SocketTimeoutException("no byte of the body came for " + timeoutMillis + " ms");
    }
    return n;
  }
}
