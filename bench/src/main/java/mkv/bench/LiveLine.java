package mkv.bench;

import java.io.PrintStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live progress line of the running workload: on stderr, redrawn in place, and only when stderr
 * is a terminal (a log file or a pipe gets the final table only).
 */
final class LiveLine implements AutoCloseable {
  final LongAdder ops = new LongAdder();
  final LongAdder errors = new LongAdder();
  private final String name;
  private final long started = System.nanoTime();
  private final Thread painter;
  private volatile String phase = "";

  private LiveLine(String name, boolean live, PrintStream err) {
    this.name = name;
    if (!live) {
      painter = null;
      return;
    }
    painter =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(250);
                  double s = (System.nanoTime() - started) / 1e9;
                  long n = ops.sum();
                  err.printf(
                      "\r\033[K%-12s %6.1fs %,12d ops %,10.0f/s  errors %,d %s",
                      this.name, s, n, n / Math.max(s, 1e-9), errors.sum(), phase);
                  err.flush();
                }
              } catch (InterruptedException stop) {
                // stopping
              }
              err.print("\r\033[K");
              err.flush();
            },
            "bench-live-line");
    painter.setDaemon(true);
    painter.start();
  }

  /** A progress line for {@code name}; draws nothing unless the process has a terminal. */
  static LiveLine start(String name) {
    return new LiveLine(name, mkv.cli.Terminal.attached(), System.err);
  }

  /** A few words after the counters, e.g. what a set-up step is doing. */
  void phase(String p) {
    phase = p;
  }

  @Override
  public void close() {
    if (painter != null) {
      painter.interrupt();
      try {
        painter.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
