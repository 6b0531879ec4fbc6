package mkv.tools.rebalance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.layout.Placement;

/**
 * How a rebalance runs; validated when built.
 *
 * @param volumes the new set of volume servers, which placement is computed from
 * @param rate bytes copied per second at most, 0 for no bound
 * @param dryRun only report what would move
 * @param progressBar draw a bar (on a terminal), else log progress every {@code progressEvery}
 */
public record RebalanceConfig(
    Path db,
    List<String> volumes,
    int replicas,
    int subvolumes,
    int workers,
    long rate,
    boolean dryRun,
    boolean progressBar,
    Duration progressEvery) {

  public RebalanceConfig {
    volumes = List.copyOf(volumes);
    new Placement(volumes, replicas, subvolumes); // throws on an impossible placement
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be at least 1");
    }
  }

  public Placement placement() {
    return new Placement(volumes, replicas, subvolumes);
  }
}
