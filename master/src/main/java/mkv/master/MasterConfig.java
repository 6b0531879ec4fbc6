package mkv.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.layout.Placement;

/**
 * How a master runs; validated when built.
 *
 * @param voltimeout   bound on connecting to a volume and on its health check
 * @param stallTimeout bound on a transfer to or from a volume that makes no progress
 */
public record MasterConfig(
    String host,
    int port,
    Path db,
    List<String> volumes,
    int replicas,
    int subvolumes,
    String fallback,
    boolean protect,
    boolean md5,
    Duration voltimeout,
    Duration stallTimeout,
    Duration checkInterval,
    int workerThreads) {

  public MasterConfig {
    volumes = List.copyOf(volumes);
    new Placement(volumes, replicas, subvolumes); // throws on an impossible placement
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    for (Duration d : List.of(voltimeout, stallTimeout, checkInterval)) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts and intervals must be positive");
      }
    }
  }

  /** A config with minikeyvalue's defaults, for embedding and tests. */
  public static MasterConfig of(Path db, List<String> volumes, int replicas, int subvolumes) {
    return new MasterConfig("127.0.0.1", 0, db, volumes, replicas, subvolumes, null, false, true,
        Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1), 128);
  }

  public MasterConfig withPort(int p) {
    return new MasterConfig(host, p, db, volumes, replicas, subvolumes, fallback, protect, md5, voltimeout,
        stallTimeout, checkInterval, workerThreads);
  }

  public MasterConfig withFallback(String f) {
    return new MasterConfig(host, port, db, volumes, replicas, subvolumes, f, protect, md5, voltimeout,
        stallTimeout, checkInterval, workerThreads);
  }

  public MasterConfig withProtect(boolean p) {
    return new MasterConfig(host, port, db, volumes, replicas, subvolumes, fallback, p, md5, voltimeout,
        stallTimeout, checkInterval, workerThreads);
  }

  public MasterConfig withMd5(boolean m) {
    return new MasterConfig(host, port, db, volumes, replicas, subvolumes, fallback, protect, m, voltimeout,
        stallTimeout, checkInterval, workerThreads);
  }

  public MasterConfig withTimeouts(Duration vol, Duration stall, Duration check) {
    return new MasterConfig(host, port, db, volumes, replicas, subvolumes, fallback, protect, md5, vol, stall,
        check, workerThreads);
  }

  public Placement placement() {
    return new Placement(volumes, replicas, subvolumes);
  }
}
