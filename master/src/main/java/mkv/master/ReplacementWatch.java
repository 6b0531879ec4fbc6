package mkv.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import mkv.layout.Placement;

/**
 * Replaces volumes down too long: checked every second, a volume of the configured placement down
 * for {@code --replace-after} stops counting and its keys get new copies on the next volumes of
 * their ranking (a re-replication run of the {@link Rebalancer}); one that comes back counts again
 * and its keys move back. Costs nothing per key: it reads only the volumes' health.
 */
final class ReplacementWatch {
  private static final Logger LOG = Logger.getLogger(ReplacementWatch.class.getName());

  private final Rebalancer rebalancer;
  private final CurrentPlacement current;
  private final VolumeHealth health;
  private final Duration replaceAfter;

  /**
   * @param replaceAfter how long a volume is down before its keys are copied elsewhere; zero for
   *     never
   */
  ReplacementWatch(
      Rebalancer rebalancer, CurrentPlacement current, VolumeHealth health, Duration replaceAfter) {
    this.rebalancer = rebalancer;
    this.current = current;
    this.health = health;
    this.replaceAfter = replaceAfter;
  }

  /** Replaces the volumes down too long, and restores those back; run periodically. */
  void check() {
    if (replaceAfter.isZero()) {
      return;
    }
    // under the rebalancer's lock: no operator's run may change the placement meanwhile
    synchronized (rebalancer) {
      Placement configured = current.configured();
      Set<String> replaced = new HashSet<>(current.replaced());
      List<String> changes = new ArrayList<>();
      for (String v : configured.volumes()) {
        Duration down = health.downFor(v);
        if (down == null && replaced.contains(v) && health.writable(v)) {
          replaced.remove(v);
          changes.add("volume " + v + " is back: its keys move back to it");
        } else if (down != null && down.compareTo(replaceAfter) >= 0 && !replaced.contains(v)) {
          if (configured.volumes().size() - replaced.size() - 1 < configured.replicas()) {
            continue; // too few volumes left to hold every replica elsewhere
          }
          replaced.add(v);
          changes.add(
              "volume "
                  + v
                  + " has been down for "
                  + down.toSeconds()
                  + " s (--replace-after "
                  + replaceAfter.toSeconds()
                  + " s): its keys get new copies on the other volumes");
        }
      }
      if (!changes.isEmpty()) {
        changes.forEach(LOG::warning);
        rebalancer.replace(replaced);
      }
    }
  }
}
