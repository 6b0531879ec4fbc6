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
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  final InetSocketAddress master;
  final InetSocketAddress volume;
  final String prefix;

  /**
   * Server processes by name ({@code master}, {@code volume0}...), in order; empty when not known.
   */
  final Map<String, Long> processes;

  Target(URI masterUrl, InetSocketAddress volume, String prefix, Map<String, Long> processes) {
    this.master = Http1.addressOf(masterUrl);
    this.volume = volume;
    this.prefix = prefix;
    this.processes = processes;
  }

  /** A key prefix no other run uses. */
  static String newPrefix() {
    return "/bench-"
        + Long.toString(System.currentTimeMillis(), 36)
        + "-"
        + ProcessHandle.current().pid();
  }

  /**
   * PUTs {@code keys} with {@code value} from {@code workers} threads, each on its own connection.
   *
   * @return the number written; a failure stops the run with the first error
   */
  long putAll(List<String> keys, byte[] value, int workers, LiveLine progress) throws IOException {
    return forEach(
        keys,
        workers,
        (http, key) -> {
          Http1.Response r = http.exchange("PUT", key, value);
          if (r.status() != 201) {
            throw new IOException("set-up PUT " + key + ": " + r.status() + " " + r.text());
          }
          progress.ops.increment();
        });
  }

  /**
   * Deletes every key this run left under its prefix, live or unlinked, so that a run against a
   * real cluster leaves nothing behind; returns how many.
   */
  long cleanUp(int workers) throws IOException {
    List<String> keys = new ArrayList<>();
    try (Http1 http = new Http1(master)) {
      for (String query : List.of("?list", "?unlinked")) {
        Http1.Response r = http.exchange("GET", prefix + query, null);
        if (r.status() != 200) {
          throw new IOException("listing " + prefix + query + ": " + r.status() + " " + r.text());
        }
        JSON.readTree(r.body()).path("keys").forEach(k -> keys.add(k.asText()));
      }
    }
    return forEach(
        keys,
        workers,
        (http, key) -> {
          Http1.Response r = http.exchange("DELETE", key, null);
          if (r.status() == 403) { // a --protect master deletes only what was unlinked first
            http.exchange("UNLINK", key, null);
            r = http.exchange("DELETE", key, null);
          }
          if (r.status() != 204 && r.status() != 404) {
            throw new IOException("clean-up DELETE " + key + ": " + r.status() + " " + r.text());
          }
        });
  }

  /** One step on one key, on a connection of its own thread. */
  @FunctionalInterface
  private interface Step {
    void run(Http1 http, String key) throws IOException;
  }

  /**
   * Runs {@code step} on every key from {@code workers} threads; the first failure stops them and
   * is thrown.
   */
  private long forEach(List<String> keys, int workers, Step step) throws IOException {
    AtomicLong next = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<Long>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        done.add(
            pool.submit(
                () -> {
                  long n = 0;
                  try (Http1 http = new Http1(master)) {
                    for (long i; (i = next.getAndIncrement()) < keys.size(); ) {
                      step.run(http, keys.get((int) i));
                      n++;
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
