package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * {@code large}: PUT one value of {@code --size} bytes through the master (which streams it to
 * every replica), then GET it back through the redirect, checking every byte, then DELETE it;
 * repeated while the bounds allow (at least once). The bytes are generated and checked on the fly,
 * never held, so the bench's own memory stays flat whatever the size.
 *
 * <p>With the master's PID, the PUT row also reports the master's RSS before and at its peak.
 */
final class LargeWorkload {
  /**
   * The repeating pattern's length: a prime, so no power-of-two misplacement of a chunk goes
   * unseen.
   */
  private static final int PATTERN = 1_048_583;

  private static final byte[] BLOCK = new byte[PATTERN];

  static {
    new Random(42).nextBytes(BLOCK);
  }

  private LargeWorkload() {}

  static List<Result> run(BenchConfig config, Target target) throws InterruptedException {
    long size = config.size();
    Bound bound = new Bound(config.duration(), config.count());
    Histogram putLatency = Result.newHistogram();
    Histogram getLatency = Result.newHistogram();
    long puts = 0;
    long gets = 0;
    long putErrors = 0;
    long getErrors = 0;
    double putSeconds = 0;
    double getSeconds = 0;
    String putError = null;
    String getError = null;
    long rssBefore = -1;
    long rssPeak = -1;
    try (LiveLine progress = LiveLine.start("large");
        Http1 master = new Http1(target.master, 1 << 20)) {
      for (int i = 0; bound.tryAcquire() || i == 0; i++) {
        String key = target.prefix + "/large/" + i;
        progress.phase("(PUT " + (size >> 20) + " MiB)");
        long t0 = System.nanoTime();
        try (Rss rss = config.masterPid() > 0 ? Rss.watch(config.masterPid()) : null) {
          Http1.Response r =
              master.stream("PUT", key, size, out -> writePattern(out, size), (b, o, l) -> {});
          long took = System.nanoTime() - t0;
          if (r.status() != 201) {
            throw new IOException("PUT " + key + ": " + r.status());
          }
          putLatency.recordValue(took);
          putSeconds += took / 1e9;
          puts++;
          progress.ops.increment();
          if (rss != null) {
            rssBefore = rssBefore < 0 ? rss.before() : Math.min(rssBefore, rss.before());
            rssPeak = Math.max(rssPeak, rss.peak());
          }
        } catch (IOException | RuntimeException e) {
          putErrors++;
          progress.errors.increment();
          putError = putError == null ? "PUT " + key + ": " + e.getMessage() : putError;
          deleteQuietly(master, key);
          continue;
        }
        progress.phase("(GET " + (size >> 20) + " MiB)");
        long t1 = System.nanoTime();
        try {
          Http1.Response redirect = master.exchange("GET", key, null);
          if (redirect.status() != 302) {
            throw new IOException("GET " + key + ": " + redirect.status() + " (expected 302)");
          }
          URI location = URI.create(redirect.header("location"));
          InetSocketAddress at = Http1.addressOf(location);
          long[] seen = {0};
          try (Http1 volume = new Http1(at, 1 << 20)) {
            Http1.Response r =
                volume.stream(
                    "GET",
                    location.getRawPath(),
                    -1,
                    out -> {},
                    (b, o, l) -> {
                      check(b, o, l, seen[0]);
                      seen[0] += l;
                    });
            if (r.status() != 200 || seen[0] != size) {
              throw new IOException(
                  "GET "
                      + location
                      + ": "
                      + r.status()
                      + " with "
                      + seen[0]
                      + " of "
                      + size
                      + " bytes");
            }
          }
          long took = System.nanoTime() - t1;
          getLatency.recordValue(took);
          getSeconds += took / 1e9;
          gets++;
          progress.ops.increment();
        } catch (IOException | RuntimeException e) {
          getErrors++;
          progress.errors.increment();
          getError = getError == null ? "GET " + key + ": " + e.getMessage() : getError;
        }
        Http1.Response d = deleteQuietly(master, key);
        if (d == null || d.status() != 204) {
          getErrors++;
          getError =
              getError == null
                  ? "DELETE " + key + ": " + (d == null ? "failed" : d.status())
                  : getError;
        }
      }
    }
    Map<String, Object> putExtra = new LinkedHashMap<>();
    putExtra.put("value_bytes", size);
    if (rssBefore >= 0) {
      putExtra.put("master_rss_before_mib", rssBefore / 1048576.0);
      putExtra.put("master_rss_peak_mib", rssPeak / 1048576.0);
      putExtra.put("master_rss_growth_mib", (rssPeak - rssBefore) / 1048576.0);
    }
    Map<String, Object> getExtra = new LinkedHashMap<>();
    getExtra.put("value_bytes", size);
    // seconds here are the transfers' own time, so ops/s is per transfer, MiB/s is the transfer
    // rate
    return List.of(
        new Result(
            "large",
            "large PUT",
            puts,
            putErrors,
            puts * size,
            putSeconds,
            putLatency,
            putError,
            putExtra),
        new Result(
            "large",
            "large GET",
            gets,
            getErrors,
            gets * size,
            getSeconds,
            getLatency,
            getError,
            getExtra));
  }

  private static Http1.Response deleteQuietly(Http1 master, String key) {
    try {
      return master.exchange("DELETE", key, null);
    } catch (IOException e) {
      return null;
    }
  }

  /** Writes {@code size} bytes of the pattern. */
  static void writePattern(java.io.OutputStream out, long size) throws IOException {
    long left = size;
    while (left > 0) {
      int n = (int) Math.min(left, PATTERN);
      out.write(BLOCK, 0, n);
      left -= n;
    }
  }

  /** Checks that {@code b[o..o+l)} is the pattern at stream offset {@code at}. */
  static void check(byte[] b, int o, int l, long at) throws IOException {
    int p = (int) (at % PATTERN);
    int done = 0;
    while (done < l) {
      int n = Math.min(l - done, PATTERN - p);
      if (java.util.Arrays.mismatch(b, o + done, o + done + n, BLOCK, p, p + n) >= 0) {
        throw new IOException("value differs from what was written near byte " + (at + done));
      }
      done += n;
      p = 0;
    }
  }
}
