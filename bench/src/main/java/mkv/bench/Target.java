package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the workloads run against: the master, a volume, the key prefix of this run (so that runs
 * never collide and a run's keys are easy to find), and the server processes whose CPU is measured.
 */
final class Target {
  final InetSocketAddress master;
  final InetSocketAddress volume;
  final String prefix;
  /** Server processes by name ({@code master}, {@code volume0}...), in order; empty when not known. */
  final Map<String, Long> processes;

  Target(URI masterUrl, InetSocketAddress volume, String prefix, Map<String, Long> processes) {
    this.master = Http1.addressOf(masterUrl);
    this.volume = volume;
    this.prefix = prefix;
    this.processes = processes;
  }

  /** A key prefix no other run uses. */
  static String newPrefix() {
    return "/bench-" + Long.toString(System.currentTimeMillis(), 36) + "-" + ProcessHandle.current().pid();
  }

  /**
   * PUTs {@code keys} with {@code value} from {@code workers} threads, each on its own connection.
   *
   * @return the number written; a failure stops the run with the first error
   */
  long putAll(List<String> keys, byte[] value, int workers, Progress progress) throws IOException {
    AtomicLong next = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<Long>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        done.add(pool.submit(() -> {
          long n = 0;
          try (Http1 http = new Http1(master)) {
            for (long i; (i = next.getAndIncrement()) < keys.size(); ) {
              Http1.Response r = http.exchange("PUT", keys.get((int) i), value);
              if (r.status() != 201) {
                throw new IOException("set-up PUT " + keys.get((int) i) + ": " + r.status() + " " + r.text());
              }
              n++;
              progress.ops.increment();
            }
          }
          return n;
        }));
      }
      long total = 0;
      for (Future<Long> f : done) {
        total += f.get();
      }
      return total;
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } finally {
      pool.shutdownNow();
    }
  }
}
