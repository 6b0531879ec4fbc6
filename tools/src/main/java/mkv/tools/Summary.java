package mkv.tools;

import java.time.Duration;
import java.util.Locale;

/** How tools print sizes, durations and rates in their progress lines and summaries. */
public final class Summary {
  private Summary() {}

  /** {@code 512 B}, {@code 3.1 MiB}, {@code 2.0 GiB}. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String units = "KMGTPE";
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length() - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %siB", v, units.charAt(u));
  }

  /** {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 2h03m}. */
  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
  }

  /** Units per second over {@code d}. */
  public static long rate(long n, Duration d) {
    return Math.round(n / Math.max(1e-3, d.toNanos() / 1e9));
  }
}
