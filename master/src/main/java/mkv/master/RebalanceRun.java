package mkv.master;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import mkv.layout.Placement;
import mkv.move.KeyMover;
import mkv.move.Throttle;

/**
 * One run of the {@link Rebalancer}: toward one configured placement, its counters over every pass.
 */
final class RebalanceRun {
  /** The most keys a pass remembers for the next one (beyond, the next reads the whole index). */
  static final int MAX_LEFT = 100_000;

  /**
   * How a run stands: MOVING until a pass finds every key in place (DONE); INCOMPLETE between
   * passes that could not.
   */
  enum Phase {
    IDLE,
    MOVING,
    DONE,
    INCOMPLETE
  }

  final Placement configured;
  final Set<String> replaced;
  final String why;
  final int workers;
  final KeyMover mover;
  final long rate;
  final Instant started = Instant.now();
  volatile Phase phase = Phase.MOVING;
  volatile Pass pass;
  volatile int passes;
  volatile Instant finished;
  volatile String waitingFor;
  final LongAdder moved = new LongAdder();
  final LongAdder movedBytes = new LongAdder();
  final LongAdder failed = new LongAdder();
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  RebalanceRun(
      Placement configured,
      Set<String> replaced,
      String why,
      int workers,
      long rate,
      mkv.client.VolumeClient client) {
    this.configured = configured;
    this.replaced = Set.copyOf(replaced);
    this.why = why;
    this.workers = workers;
    this.rate = rate;
    this.mover = new KeyMover(client, Throttle.of(rate));
  }

  /** One line for logs and {@code /_volumes}: how far the run is. */
  String progress() {
    Pass p = pass;
    return why
        + " "
        + phase.name().toLowerCase(Locale.ROOT)
        + ", pass "
        + passes
        + ": moved "
        + (p == null ? 0 : p.moved.sum())
        + " of "
        + (p == null ? 0 : p.toMove.sum())
        + " keys";
  }

  /** One pass over the index. */
  static final class Pass {
    final LongAdder scanned = new LongAdder();
    final LongAdder toMove = new LongAdder();
    final LongAdder toMoveBytes = new LongAdder();
    final LongAdder moved = new LongAdder();
    final LongAdder waiting = new LongAdder();
    final LongAdder failed = new LongAdder();
    final Queue<String> busy = new ConcurrentLinkedQueue<>();
    private final Set<String> left = ConcurrentHashMap.newKeySet();
    private volatile boolean overflowed;

    /** Notes a key this pass could not move, for the next pass to try again. */
    void leave(String key) {
      if (left.size() < MAX_LEFT) {
        left.add(key);
      } else {
        overflowed = true;
      }
    }

    /** The keys this pass could not move. */
    Set<String> left() {
      return Set.copyOf(left);
    }

    /** Whether more keys were left than remembered: the next pass goes over the whole index. */
    boolean overflowed() {
      return overflowed;
    }
  }
}
