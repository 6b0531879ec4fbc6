package mkv.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.layout.Placement;
import mkv.sync.SyncMode;

/**
 * How a master runs; validated when built.
 *
 * @param minReplicas replicas that must hold a value before a PUT succeeds (the rest are repaired
 *     later)
 * @param voltimeout bound on connecting to a volume and on its health check
 * @param stallTimeout bound on a transfer to or from a volume, or from a client, that makes no
 *     progress
 * @param sync what a 201 (and a 204 of DELETE) promises; see README, "Durability"
 * @param syncInterval how long {@code --sync batch} leaves an index write unflushed at most
 * @param adoptPlacement start even when the index holds another placement, and move every key to
 *     this one
 * @param replaceAfter how long a volume is down before its keys get new copies elsewhere; zero for
 *     never
 * @param moveWorkers keys moved at once by a rebalance or re-replication
 * @param moveRate bytes per second those moves copy at most; 0 for no bound
 * @param moveGrace how long a moved key's old copies are kept for readers sent there before the
 *     move
 * @param adminToken lets clients on other hosts use the admin endpoints; null for the master's host
 *     only
 * @param accessLog file to log each request to (common log format), {@code -} for stderr, or null
 */
public record MasterConfig(
    String host,
    int port,
    Path db,
    List<String> volumes,
    int replicas,
    int subvolumes,
    int minReplicas,
    String fallback,
    boolean protect,
    boolean md5,
    Duration voltimeout,
    Duration stallTimeout,
    Duration checkInterval,
    int workerThreads,
    SyncMode sync,
    Duration syncInterval,
    boolean adoptPlacement,
    Duration replaceAfter,
    int moveWorkers,
    long moveRate,
    Duration moveGrace,
    String adminToken,
    String accessLog) {

  public MasterConfig {
    volumes = List.copyOf(volumes);
    new Placement(volumes, replicas, subvolumes); // throws on an impossible placement
    if (minReplicas < 1 || minReplicas > replicas) {
      throw new IllegalArgumentException(
          "--min-replicas must be from 1 to --replicas (" + replicas + ")");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    java.util.Objects.requireNonNull(sync, "sync");
    for (Duration d : List.of(voltimeout, stallTimeout, checkInterval, syncInterval)) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts and intervals must be positive");
      }
    }
    if (replaceAfter.isNegative() || moveGrace.isNegative() || moveRate < 0) {
      throw new IllegalArgumentException("--replace-after and --move-rate cannot be negative");
    }
    if (moveWorkers < 1) {
      throw new IllegalArgumentException("--move-workers must be at least 1");
    }
    if (workerThreads < 2) {
      throw new IllegalArgumentException("--workers must be at least 2");
    }
  }

  /**
   * A builder with minikeyvalue's defaults: 3 replicas, 10 subvolumes, md5 on, 1 s volume timeout.
   */
  public static Builder builder(Path db, List<String> volumes) {
    return new Builder(db, volumes);
  }

  /**
   * Defaults but for the placement, bound to 127.0.0.1 on any free port: for embedding and tests.
   */
  public static MasterConfig of(Path db, List<String> volumes, int replicas, int subvolumes) {
    return builder(db, volumes).replicas(replicas).subvolumes(subvolumes).build();
  }

  public Placement placement() {
    return new Placement(volumes, replicas, subvolumes);
  }

  /** Builds a {@link MasterConfig}; every setter returns the builder. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private final Path db;
    private final List<String> volumes;
    private int replicas = 3;
    private int subvolumes = 10;
    private int minReplicas;
    private String fallback;
    private boolean protect;
    private boolean md5 = true;
    private Duration voltimeout = Duration.ofSeconds(1);
    private Duration stallTimeout = Duration.ofSeconds(30);
    private Duration checkInterval = Duration.ofSeconds(1);
    private int workerThreads = 128;
    private SyncMode sync = SyncMode.ALWAYS;
    private Duration syncInterval = Duration.ofMillis(50);
    private boolean adoptPlacement;
    private Duration replaceAfter = Duration.ofMinutes(15);
    private int moveWorkers = 8;
    private long moveRate;
    private Duration moveGrace = Duration.ofSeconds(5);
    private String adminToken;
    private String accessLog;

    private Builder(Path db, List<String> volumes) {
      this.db = db;
      this.volumes = volumes;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder replicas(int v) {
      replicas = v;
      return this;
    }

    public Builder subvolumes(int v) {
      subvolumes = v;
      return this;
    }

    /** 0 (the default) means every replica. */
    public Builder minReplicas(int v) {
      minReplicas = v;
      return this;
    }

    public Builder fallback(String v) {
      fallback = v;
      return this;
    }

    public Builder protect(boolean v) {
      protect = v;
      return this;
    }

    public Builder md5(boolean v) {
      md5 = v;
      return this;
    }

    public Builder voltimeout(Duration v) {
      voltimeout = v;
      return this;
    }

    public Builder stallTimeout(Duration v) {
      stallTimeout = v;
      return this;
    }

    public Builder checkInterval(Duration v) {
      checkInterval = v;
      return this;
    }

    public Builder workerThreads(int v) {
      workerThreads = v;
      return this;
    }

    public Builder sync(SyncMode mode, Duration interval) {
      sync = mode;
      syncInterval = interval;
      return this;
    }

    public Builder adoptPlacement(boolean v) {
      adoptPlacement = v;
      return this;
    }

    /** Zero turns re-replication off. */
    public Builder replaceAfter(Duration v) {
      replaceAfter = v;
      return this;
    }

    public Builder moveWorkers(int v) {
      moveWorkers = v;
      return this;
    }

    /** Bytes per second; 0 for no bound. */
    public Builder moveRate(long v) {
      moveRate = v;
      return this;
    }

    public Builder moveGrace(Duration v) {
      moveGrace = v;
      return this;
    }

    public Builder adminToken(String v) {
      adminToken = v;
      return this;
    }

    public Builder accessLog(String v) {
      accessLog = v;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first setting that cannot work
     */
    public MasterConfig build() {
      return new MasterConfig(
          host,
          port,
          db,
          volumes,
          replicas,
          subvolumes,
          minReplicas == 0 ? replicas : minReplicas,
          fallback,
          protect,
          md5,
          voltimeout,
          stallTimeout,
          checkInterval,
          workerThreads,
          sync,
          syncInterval,
          adoptPlacement,
          replaceAfter,
          moveWorkers,
          moveRate,
          moveGrace,
          adminToken,
          accessLog);
    }
  }
}
