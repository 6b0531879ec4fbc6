package mkv.volume;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import mkv.sync.SyncMode;

/**
 * Immutable settings of one volume server, validated on construction.
 *
 * @param sync what a 201 promises (see README, "Durability")
 * @param syncInterval how long {@link SyncMode#BATCH} leaves a write unflushed at most
 * @param accessLog file to log each request to (common log format), {@code -} for stderr, or null
 */
public record VolumeConfig(
    Path dir,
    String host,
    int port,
    int ioThreads,
    int workerThreads,
    SyncMode sync,
    Duration syncInterval,
    String accessLog) {

  /** Default IO threads: one per core, at least two (undertow's own default). */
  public static final int DEFAULT_IO_THREADS =
      Math.max(2, Runtime.getRuntime().availableProcessors());

  /**
   * Default worker threads: large reads and writes block on disk and on slow clients, so keep
   * plenty.
   */
  public static final int DEFAULT_WORKER_THREADS = DEFAULT_IO_THREADS * 8;

  /** Default bound on how long {@code --sync batch} leaves a write unflushed. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(50);

  /**
   * @throws IllegalArgumentException if a value is out of range
   */
  public VolumeConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(sync, "sync");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("io-threads must be >= 1, got " + ioThreads);
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("worker-threads must be >= 1, got " + workerThreads);
    }
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException("sync-interval must be positive, got " + syncInterval);
    }
  }

  /** A config with default thread counts and {@code --sync always}. */
  public static VolumeConfig of(Path dir, String host, int port) {
    return new VolumeConfig(
        dir,
        host,
        port,
        DEFAULT_IO_THREADS,
        DEFAULT_WORKER_THREADS,
        SyncMode.ALWAYS,
        DEFAULT_SYNC_INTERVAL,
        null);
  }

  /** This config with another durability. */
  public VolumeConfig withSync(SyncMode mode, Duration interval) {
    return new VolumeConfig(dir, host, port, ioThreads, workerThreads, mode, interval, accessLog);
  }

  /** This config logging each request to {@code file} ({@code -} for stderr). */
  public VolumeConfig withAccessLog(String file) {
    return new VolumeConfig(dir, host, port, ioThreads, workerThreads, sync, syncInterval, file);
  }
}
