package mkv.master;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs the master's background work on the leader only: started when this master leads (and has
 * applied its whole log), stopped at once when it no longer does. The group's notices arrive on its
 * threads; the work is started and stopped on one thread of its own, in order.
 */
final class Leadership implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Leadership.class.getName());

  /** One kind of background work, started and stopped with leadership. */
  record Duty(String name, Runnable start, Runnable stop) {}

  private final List<Duty> duties;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "leadership");
            t.setDaemon(true);
            return t;
          });
  private boolean leading; // only on `thread`
  private volatile boolean leader;

  Leadership(List<Duty> duties) {
    this.duties = List.copyOf(duties);
  }

  /** Whether this master leads, as last told. */
  boolean leads() {
    return leader;
  }

  /** Told by the group: true when this master leads with its log applied, false when it stops. */
  void changed(boolean leads) {
    leader = leads;
    thread.execute(
        () -> {
          if (leads == leading) {
            return;
          }
          leading = leads;
          LOG.info(
              leads
                  ? "leading: the background work starts"
                  : "not leading: the background work stops");
          List<Duty> order = new java.util.ArrayList<>(duties);
          if (!leads) {
            java.util.Collections.reverse(order); // stopped in the reverse order of starting
          }
          for (Duty d : order) {
            try {
              (leads ? d.start() : d.stop()).run();
            } catch (RuntimeException e) {
              LOG.severe((leads ? "starting " : "stopping ") + d.name() + " failed: " + e);
            }
          }
        });
  }

  @Override
  public void close() {
    changed(false);
    thread.shutdown();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
