package mkv.master;

import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import mkv.layout.Placement;

/**
 * The placement new writes follow: the configured one, less the volumes replaced after being down
 * too long. A switch waits for every write that began under the old one to have recorded its
 * PENDING record, so a move that starts after the switch sees every such write in the index.
 */
final class CurrentPlacement {
  private final ReentrantReadWriteLock switching = new ReentrantReadWriteLock();
  private volatile Placement configured;
  private volatile Set<String> replaced;
  private volatile Placement effective;

  CurrentPlacement(Placement configured) {
    set(configured, Set.of());
  }

  /** Where a key written now goes. */
  Placement effective() {
    return effective;
  }

  /** The placement stored in the index: what the operator asked for. */
  Placement configured() {
    return configured;
  }

  /** Volumes of the configured placement that no longer count, being down too long. */
  Set<String> replaced() {
    return replaced;
  }

  /**
   * Runs the start of a write (choosing replicas, recording them) so that no switch comes between.
   */
  <T> T beginWrite(Supplier<T> begin) {
    switching.readLock().lock();
    try {
      return begin.get();
    } finally {
      switching.readLock().unlock();
    }
  }

  /**
   * Switches; returns once every write that began under the old placement has recorded its start.
   */
  void set(Placement configured, Set<String> replaced) {
    Placement next = replaced.isEmpty() ? configured : configured.without(replaced);
    switching.writeLock().lock();
    try {
      this.configured = configured;
      this.replaced = Set.copyOf(replaced);
      this.effective = next;
    } finally {
      switching.writeLock().unlock();
    }
  }
}
