package mkv.tools.rebuild;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.layout.Placement;

/**
 * How a rebuild runs; validated when built.
 *
 * @param md5 read every value once to restore its md5
 * @param skipUnreachable rebuild from the volumes that answer, reporting the others
 * @param progressBar draw a bar (on a terminal), else log progress every {@code progressEvery}
 */
public record RebuildConfig(
    Path db,
    List<String> volumes,
    int replicas,
    int subvolumes,
    int workers,
    boolean md5,
    boolean skipUnreachable,
    boolean progressBar,
    Duration progressEvery) {

  public RebuildConfig {
    volumes = List.copyOf(volumes);
    placement(volumes, replicas, subvolumes); // throws on an impossible placement
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be at least 1");
    }
  }

  public Placement placement() {
    return placement(volumes, replicas, subvolumes);
  }

  private static Placement placement(List<String> volumes, int replicas, int subvolumes) {
    return new Placement(volumes, replicas, subvolumes);
  }
}
