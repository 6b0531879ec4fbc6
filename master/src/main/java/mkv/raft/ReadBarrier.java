package mkv.raft;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Batches the read-index step of linearizable reads: one round to the leader at a time, shared by
 * every read that arrived before it was sent. A read that arrives while a round is in flight waits
 * for the next one (the round in flight may have been answered before that read's write was
 * acknowledged), so a read waits at most two rounds, and the leader sees one request per round
 * however many reads there are.
 */
final class ReadBarrier {
  static final CompletableFuture<Void> PASSED = CompletableFuture.completedFuture(null);

  private final Supplier<CompletableFuture<Void>> round;
  private boolean inFlight; // guarded by this
  private CompletableFuture<Void> next; // guarded by this: those waiting for the next round

  /**
   * @param round asks the leader for its commit index and waits until it is applied here
   */
  ReadBarrier(Supplier<CompletableFuture<Void>> round) {
    this.round = round;
  }

  CompletableFuture<Void> await() {
    CompletableFuture<Void> start;
    synchronized (this) {
      if (inFlight) {
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next;
      }
      inFlight = true;
      start = new CompletableFuture<>();
    }
    run(start);
    return start;
  }

  private void run(CompletableFuture<Void> waiting) {
    CompletableFuture<Void> r;
    try {
      r = round.get();
    } catch (RuntimeException e) {
      r = CompletableFuture.failedFuture(e);
    }
    r.whenComplete(
        (ok, failed) -> {
          if (failed == null) {
            waiting.complete(null);
          } else {
            waiting.completeExceptionally(failed);
          }
          CompletableFuture<Void> then;
          synchronized (this) {
            then = next;
            next = null;
            inFlight = then != null;
          }
          if (then != null) {
            run(then);
          }
        });
  }
}
