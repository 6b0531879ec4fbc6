package mkv.tools;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A tool's progress: a bar on a terminal (done / total, bytes, rate, ETA), else a log line every
 * {@code interval}. Counting is lock-free; only one ticker thread renders.
 */
public final class Progress implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Progress.class.getName());

  private final String task;
  private final String unit;
  private final long total;
  private final long started = System.nanoTime();
  private final LongAdder done = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final ProgressBar bar;
  private final ScheduledExecutorService ticker;

  private Progress(String task, String unit, long total, boolean terminal, Duration interval) {
    this.task = task;
    this.unit = unit;
    this.total = total;
    this.bar =
        terminal
            ? new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build()
            : null;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, task + "-progress");
              t.setDaemon(true);
              return t;
            });
    long period = terminal ? 250 : Math.max(1, interval.toMillis());
    ticker.scheduleAtFixedRate(this::render, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts reporting {@code total} units of work ({@code unit}: "keys", "folders").
   *
   * @param terminal draw a bar (stderr is a terminal), else log a line every {@code interval}
   */
  public static Progress start(
      String task, String unit, long total, boolean terminal, Duration interval) {
    return new Progress(task, unit, total, terminal, interval);
  }

  /** Whether this process can draw a bar: it runs on a terminal. */
  public static boolean onTerminal() {
    return mkv.cli.Terminal.attached();
  }

  /** One unit done, having moved or read {@code n} bytes. */
  public void step(long n) {
    done.increment();
    if (n > 0) {
      bytes.add(n);
    }
  }

  public long done() {
    return done.sum();
  }

  /** The line a log gets: {@code rebalance: 120/1000 keys (12%), 3.1 MiB, 410 keys/s, ETA 2s}. */
  public String line() {
    long d = done.sum();
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    double rate = d / seconds;
    String eta =
        rate > 0 && total > d
            ? ", ETA " + Summary.duration(Duration.ofSeconds((long) ((total - d) / rate)))
            : "";
    return String.format(
        Locale.ROOT,
        "%s: %d/%d %s (%.0f%%), %s, %.0f %s/s%s",
        task,
        d,
        total,
        unit,
        total == 0 ? 100.0 : 100.0 * d / total,
        Summary.bytes(bytes.sum()),
        rate,
        unit,
        eta);
  }

  private void render() {
    if (bar != null) {
      bar.stepTo(done.sum());
      bar.setExtraMessage(Summary.bytes(bytes.sum()));
    } else {
      LOG.info(line());
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    if (bar != null) {
      render();
      bar.close();
    }
  }
}
