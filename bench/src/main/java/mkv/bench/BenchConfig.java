package mkv.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.sync.SyncMode;

/**
 * One bench run's settings, validated when built.
 *
 * @param concurrency connections or workers per workload; null for each workload's own default
 * @param warmup how long each rate workload runs unmeasured first (zero: none)
 * @param count most operations per workload
 * @param size the value size of {@code large}
 * @param clientThreads selector threads of the fast client
 * @param masterPid the master process whose RSS {@code large} reports, 0 when unknown
 * @param nginx the nginx binary for the references, null to skip them
 * @param listSeeded the list keys were written into the index before the master started
 * @param sync the servers' --sync, printed with every figure (as given for --cluster; with --url,
 *     what the user says the target runs)
 */
record BenchConfig(
    List<String> workloads,
    Integer concurrency,
    Duration duration,
    Duration warmup,
    long count,
    long size,
    int cycleSize,
    int volumeSize,
    int keys,
    int listKeys,
    int pageSize,
    int clientThreads,
    long masterPid,
    InetSocketAddress volume,
    Path nginx,
    boolean listSeeded,
    SyncMode sync) {

  static final List<String> ALL =
      List.of("missing", "redirect", "cycle", "disk", "large", "volume", "list", "ceiling", "s3");

  BenchConfig {
    workloads = List.copyOf(workloads);
    for (String w : workloads) {
      if (!ALL.contains(w)) {
        throw new IllegalArgumentException(
            "unknown workload '" + w + "'; choose from " + String.join(",", ALL));
      }
    }
    if (concurrency != null && concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be at least 1");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("--warmup must not be negative");
    }
    if (duration.isNegative()
        || duration.isZero()
        || count < 1
        || size < 1
        || cycleSize < 1
        || volumeSize < 1
        || keys < 1
        || listKeys < 1
        || pageSize < 1
        || pageSize > 100_000
        || clientThreads < 1) {
      throw new IllegalArgumentException(
          "durations, counts and sizes must be positive (and --page-size <= 100000)");
    }
  }

  /** The connections or workers of a workload: --concurrency, else the workload's default. */
  int concurrency(int workloadDefault) {
    return concurrency == null ? workloadDefault : concurrency;
  }
}
