package mkv.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long and how many: a workload stops at whichever of its deadline and its operation count
 * comes first.
 */
final class Bound {
  private final long deadline;
  private final long maxOps;
  private final AtomicLong issued = new AtomicLong();

  Bound(Duration duration, long maxOps) {
    this.deadline = System.nanoTime() + duration.toNanos();
    this.maxOps = maxOps;
  }

  /** Claims one operation; false once the deadline has passed or the count is used up. */
  boolean tryAcquire() {
    return System.nanoTime() < deadline && issued.getAndIncrement() < maxOps;
  }

  boolean expired() {
    return System.nanoTime() >= deadline;
  }

  /** Nanoseconds until the deadline, never negative. */
  long remainingNanos() {
    return Math.max(0, deadline - System.nanoTime());
  }
}
