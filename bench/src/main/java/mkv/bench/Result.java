package mkv.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One row of the report: a workload (or one half of it, e.g. the PUT of {@code large}) with its
 * operation count, errors, bytes moved, wall time and latency distribution.
 *
 * @param workload the workload selected with --workloads
 * @param name the row's label, e.g. {@code large PUT}
 * @param firstError the first error seen, or null; errors are always reported, never dropped
 * @param extra further figures (RSS, per-step latencies, ratios), in insertion order
 */
record Result(
    String workload,
    String name,
    long ops,
    long errors,
    long bytes,
    double seconds,
    Histogram latency,
    String firstError,
    Map<String, Object> extra) {

  /** Latencies are recorded in nanoseconds, up to ten minutes, three significant digits. */
  static Histogram newHistogram() {
    return new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
  }

  double opsPerSecond() {
    return seconds > 0 ? ops / seconds : 0;
  }

  double mibPerSecond() {
    return seconds > 0 ? bytes / 1048576.0 / seconds : 0;
  }

  /** Latency at {@code percentile} in milliseconds, 0 with no samples. */
  double millis(double percentile) {
    return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1e6;
  }

  double maxMillis() {
    return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e6;
  }

  /** A copy under another label. */
  Result named(String label) {
    return new Result(workload, label, ops, errors, bytes, seconds, latency, firstError, extra);
  }

  /** A copy with one more extra figure. */
  Result with(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(extra);
    m.put(key, value);
    return new Result(workload, name, ops, errors, bytes, seconds, latency, firstError, m);
  }
}
