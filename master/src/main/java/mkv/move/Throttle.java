package mkv.move;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.LockSupport;

/** Bounds the bytes per second that every stream it wraps reads, together. */
public final class Throttle {
  private static final Throttle NONE = new Throttle(0);

  private final double nanosPerByte;
  private long nextFree =
      System.nanoTime(); // guarded by this: when the bytes taken so far are paid for

  private Throttle(long bytesPerSecond) {
    this.nanosPerByte = bytesPerSecond <= 0 ? 0 : 1e9 / bytesPerSecond;
  }

  /**
   * @param bytesPerSecond the bound; 0 for none
   */
  public static Throttle of(long bytesPerSecond) {
    return bytesPerSecond <= 0 ? NONE : new Throttle(bytesPerSecond);
  }

  /** {@code in}, read no faster than this throttle allows. */
  public InputStream wrap(InputStream in) {
    if (nanosPerByte == 0) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          take(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          take(n);
        }
        return n;
      }
    };
  }

  /** Waits until {@code bytes} more fit in the bound. */
  void take(long bytes) throws InterruptedIOException {
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      // Unused time does not pile up beyond a tenth of a second of burst.
      nextFree = Math.max(nextFree, now - 100_000_000L) + (long) (bytes * nanosPerByte);
      wait = nextFree - now;
    }
    if (wait > 0) {
      LockSupport.parkNanos(wait);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while throttled");
      }
    }
  }
}
