package mkv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident memory of a process, from {@code /proc/PID/status}, sampled on a thread so that a
 * short peak is seen even where the kernel's high-water mark cannot be reset.
 */
final class Rss implements AutoCloseable {
  private final long pid;
  private final long before;
  private final boolean hwmReset;
  private final Thread sampler;
  private volatile long sampledPeak;

  private Rss(long pid) throws IOException {
    this.pid = pid;
    // "5" resets VmHWM to the current RSS (Linux >= 4.0), so VmHWM becomes the peak of this step
    boolean reset;
    try {
      Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
      reset = true;
    } catch (IOException | SecurityException e) {
      reset = false;
    }
    this.hwmReset = reset;
    this.before = read(pid, "VmRSS:");
    this.sampledPeak = before;
    sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  sampledPeak = Math.max(sampledPeak, read(pid, "VmRSS:"));
                  Thread.sleep(5);
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            },
            "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts watching {@code pid}. */
  static Rss watch(long pid) throws IOException {
    return new Rss(pid);
  }

  /** A {@code kB} line of /proc/PID/status in bytes. */
  static long read(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no " + field + " in /proc/" + pid + "/status");
  }

  long before() {
    return before;
  }

  /**
   * The highest RSS since {@link #watch}: VmHWM when it could be reset, else the highest sample.
   */
  long peak() throws IOException {
    long p = sampledPeak;
    if (hwmReset) {
      p = Math.max(p, read(pid, "VmHWM:"));
    }
    return p;
  }

  @Override
  public void close() {
    sampler.interrupt();
  }
}
