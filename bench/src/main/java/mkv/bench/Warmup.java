package mkv.bench;

import java.io.IOException;

/**
 * Runs a workload unmeasured before measuring it: a fresh JVM server runs interpreted code until
 * its JIT has compiled the hot path, which on two shared cores takes seconds, and the figures
 * should be those of a server that has been up for a while, as in production.
 */
final class Warmup {
  /** One run of a workload, bounded by {@code bound}, counting on {@code progress}. */
  @FunctionalInterface
  interface Run {
    Result run(Bound bound, LiveLine progress) throws IOException, InterruptedException;
  }

  private Warmup() {}

  /**
   * Runs {@code run} for {@code --warmup}, then for {@code --duration}/{@code --count} and returns
   * that. A warm-up that failed is returned instead, marked as such, so its errors are never
   * hidden.
   */
  static Result thenMeasure(BenchConfig config, String workload, Run run)
      throws IOException, InterruptedException {
    if (!config.warmup().isZero()) {
      Result warm;
      try (LiveLine p = LiveLine.start(workload + " warm-up")) {
        warm = run.run(new Bound(config.warmup(), Long.MAX_VALUE), p);
      }
      if (warm.errors() > 0) {
        return warm.named(warm.name() + " (warm-up)");
      }
    }
    try (LiveLine p = LiveLine.start(workload)) {
      return run.run(new Bound(config.duration(), config.count()), p);
    }
  }
}
