package mkv.volume;

import java.nio.file.Path;
import java.util.Objects;

/** Immutable settings of one volume server, validated on construction. */
public record VolumeConfig(Path dir, String host, int port, int ioThreads, int workerThreads) {

  /** Default IO threads: one per core, at least two (undertow's own default). */
  public static final int DEFAULT_IO_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  /** Default worker threads: reads and writes block on disk and on slow clients, so keep plenty. */
  public static final int DEFAULT_WORKER_THREADS = DEFAULT_IO_THREADS * 8;

  /** @throws IllegalArgumentException if a value is out of range */
  public VolumeConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(host, "host");
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
  }

  /** A config with default thread counts. */
  public static VolumeConfig of(Path dir, String host, int port) {
    return new VolumeConfig(dir, host, port, DEFAULT_IO_THREADS, DEFAULT_WORKER_THREADS);
  }
}
