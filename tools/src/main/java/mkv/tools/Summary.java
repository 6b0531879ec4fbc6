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

  /**
   * A tool's result as one line of JSON for {@code --json}: {@code command}, {@code ok}, every
   * component of the result record (durations in seconds), and the summary line people read.
   */
  public static String json(String command, boolean ok, Record result, String summary) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("command", command);
    m.put("ok", ok);
    for (java.lang.reflect.RecordComponent c : result.getClass().getRecordComponents()) {
      try {
        Object v = c.getAccessor().invoke(result);
        m.put(c.getName(), v instanceof Duration d ? d.toMillis() / 1000.0 : v);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(
            "reading " + c.getName() + " of " + result.getClass().getSimpleName(), e);
      }
    }
    m.put("summary", summary);
    return json(m);
  }

  /** {@code fields} as one line of JSON. */
  public static String json(java.util.Map<String, Object> fields) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
