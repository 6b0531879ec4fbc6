package mkv.status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;

/**
 * Samples the volume servers' {@code /metrics} in parallel (a server that does not answer within
 * the connect timeout is unknown, not waited for) and turns two rounds into rates, for {@code mkv
 * top} and the master's status page.
 */
public final class Sampler implements AutoCloseable {
  private final VolumeClient client;
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "status-sampler");
            t.setDaemon(true);
            return t;
          });
  private Map<String, Sample> last = Map.of(); // guarded by this

  public Sampler(VolumeClient client) {
    this.client = client;
  }

  /** One volume's sample and what it did per second since the previous round. */
  public record Reading(Sample sample, Sample.Rates rates) {}

  /**
   * Samples every server of {@code servers} now; rates are since the previous call (unknown the
   * first time).
   */
  public synchronized Map<String, Reading> round(List<String> servers) {
    Map<String, CompletableFuture<Sample>> pending = new LinkedHashMap<>();
    for (String server : servers) {
      pending.put(server, CompletableFuture.supplyAsync(() -> sample(server), pool));
    }
    Map<String, Sample> now = new LinkedHashMap<>();
    Map<String, Reading> out = new LinkedHashMap<>();
    pending.forEach(
        (server, f) -> {
          Sample s = f.join();
          now.put(server, s);
          Sample before = last.get(server);
          out.put(server, new Reading(s, before == null ? Sample.Rates.UNKNOWN : s.since(before)));
        });
    last = now;
    return out;
  }

  private Sample sample(String server) {
    try {
      String text = client.metrics(server);
      long at = System.nanoTime();
      return text == null ? Sample.unknown(at) : Sample.of(at, PromText.parse(text));
    } catch (VolumeException e) {
      return Sample.unknown(System.nanoTime());
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
