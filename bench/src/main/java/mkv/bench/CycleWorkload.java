package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * {@code cycle}: N workers each PUT a fresh key, GET it (following the 302 to the volume and
 * checking every byte), and DELETE it. One operation is one whole cycle; the latency of each step
 * is reported too, since that is where an optimisation has to look.
 */
final class CycleWorkload {
  static final int DEFAULT_WORKERS = 16;

  private CycleWorkload() {}

  static Result run(BenchConfig config, Target target) throws IOException, InterruptedException {
    return Warmup.thenMeasure(
        config, "cycle", (bound, progress) -> run(config, target, bound, progress));
  }

  private static Result run(BenchConfig config, Target target, Bound bound, LiveLine progress)
      throws InterruptedException {
    int workers = config.concurrency(DEFAULT_WORKERS);
    Worker[] all = new Worker[workers];
    Thread[] threads = new Thread[workers];
    Map<String, Long> cpuBefore = cpu(target);
    long start = System.nanoTime();
    for (int w = 0; w < workers; w++) {
      all[w] = new Worker(w, config.cycleSize(), target, bound, progress);
      threads[w] = new Thread(all[w], "cycle-" + w);
      threads[w].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> cpuAfter = cpu(target);
    Histogram cycle = Result.newHistogram();
    Histogram put = Result.newHistogram();
    Histogram get = Result.newHistogram();
    Histogram delete = Result.newHistogram();
    long ops = 0;
    long errors = 0;
    String firstError = null;
    for (Worker w : all) {
      cycle.add(w.cycle);
      put.add(w.put);
      get.add(w.get);
      delete.add(w.delete);
      ops += w.ops;
      errors += w.errors;
      firstError = firstError == null ? w.firstError : firstError;
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("workers", workers);
    extra.put("value_bytes", config.cycleSize());
    extra.put("put_ms", step(put));
    extra.put("get_ms", step(get));
    extra.put("delete_ms", step(delete));
    extra.put("sync", config.sync().toString());
    if (ops > 0) {
      Map<String, Double> perCycle = new LinkedHashMap<>();
      for (Map.Entry<String, Long> before : cpuBefore.entrySet()) {
        Long after = cpuAfter.get(before.getKey());
        if (after != null) {
          perCycle.put(before.getKey(), Math.round((after - before.getValue()) / 1e3 / ops) / 1e3);
        }
      }
      extra.put(CPU, perCycle);
    }
    // bytes: each cycle writes the value once (the master fans it out) and reads it once
    return new Result(
        "cycle",
        "cycle (PUT+GET+DEL)",
        ops,
        errors,
        2L * ops * config.cycleSize(),
        seconds,
        cycle,
        firstError,
        extra);
  }

  /** The key of the CPU figures in a result's extra: milliseconds of CPU per cycle, by process. */
  static final String CPU = "cpu_ms_per_cycle";

  /**
   * Our cycle's CPU figures in units of a stock nginx volume's CPU per cycle, measured by the same
   * cycle on our master over nginx volumes in the same run ({@code reference}).
   */
  static Result inNginxUnits(Result ours, Result reference) {
    @SuppressWarnings("unchecked")
    Map<String, Double> mine = (Map<String, Double>) ours.extra().get(CPU);
    @SuppressWarnings("unchecked")
    Map<String, Double> theirs = (Map<String, Double>) reference.extra().get(CPU);
    if (mine == null || theirs == null) {
      return ours;
    }
    double nginx =
        theirs.entrySet().stream()
            .filter(e -> e.getKey().startsWith("nginx"))
            .mapToDouble(Map.Entry::getValue)
            .average()
            .orElse(0);
    if (nginx <= 0) {
      return ours;
    }
    Map<String, Double> units = new LinkedHashMap<>();
    double servers = 0;
    for (Map.Entry<String, Double> e : mine.entrySet()) {
      units.put(e.getKey(), Math.round(e.getValue() / nginx * 100) / 100.0);
      if (!e.getKey().equals("client")) {
        servers += e.getValue();
      }
    }
    units.put("master+volumes", Math.round(servers / nginx * 100) / 100.0);
    return ours.with("nginx_volume_cpu_ms_per_cycle", nginx).with("cpu_in_nginx_units", units);
  }

  /** CPU used so far by each server process of the target, and by this one (the client). */
  private static Map<String, Long> cpu(Target target) {
    Map<String, Long> m = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Long> p : target.processes.entrySet()) {
        m.put(p.getKey(), Cpu.nanos(p.getValue()));
      }
      m.put("client", Cpu.self());
    } catch (IOException e) {
      // not Linux, or a process is gone: no CPU figures, the rates stand
      return Map.of();
    }
    return m;
  }

  private static Map<String, Double> step(Histogram h) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("p50", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1e6);
    m.put("p99", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1e6);
    m.put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e6);
    return m;
  }

  private static final class Worker implements Runnable {
    final Histogram cycle = Result.newHistogram();
    final Histogram put = Result.newHistogram();
    final Histogram get = Result.newHistogram();
    final Histogram delete = Result.newHistogram();
    long ops;
    long errors;
    String firstError;
    private final int id;
    private final byte[] value;
    private final Target target;
    private final Bound bound;
    private final LiveLine progress;
    private final Http1 master;
    private final Map<String, Http1> volumes = new HashMap<>();

    Worker(int id, int size, Target target, Bound bound, LiveLine progress) {
      this.id = id;
      this.value = new byte[size];
      new Random(id).nextBytes(value);
      this.target = target;
      this.bound = bound;
      this.progress = progress;
      this.master = new Http1(target.master);
    }

    @Override
    public void run() {
      try {
        for (long n = 0; bound.tryAcquire(); n++) {
          String key = target.prefix + "/cycle/" + id + "/" + n;
          // the first bytes name the cycle: a stale or misplaced value cannot pass the check
          ByteBuffer.wrap(value).putLong(0, n * 1000 + id);
          try {
            oneCycle(key);
            ops++;
            progress.ops.increment();
          } catch (IOException | RuntimeException e) {
            errors++;
            progress.errors.increment();
            if (firstError == null) {
              firstError = key + ": " + e.getMessage();
            }
            try {
              master.exchange("DELETE", key, null); // best effort: do not leave the key behind
            } catch (IOException ignored) {
              // already counted as an error above
            }
          }
        }
      } finally {
        master.close();
        volumes.values().forEach(Http1::close);
      }
    }

    private void oneCycle(String key) throws IOException {
      long t0 = System.nanoTime();
      expect(master.exchange("PUT", key, value), 201, "PUT");
      long t1 = System.nanoTime();
      Http1.Response redirect = expect(master.exchange("GET", key, null), 302, "GET");
      URI location = URI.create(redirect.header("location"));
      InetSocketAddress at = Http1.addressOf(location);
      Http1 volume =
          volumes.computeIfAbsent(at.getHostString() + ":" + at.getPort(), k -> new Http1(at));
      Http1.Response body =
          expect(volume.exchange("GET", location.getRawPath(), null), 200, "GET " + location);
      if (!Arrays.equals(body.body(), value)) {
        throw new IOException(
            "GET "
                + location
                + " returned "
                + body.body().length
                + " bytes that differ from the "
                + value.length
                + " written");
      }
      long t2 = System.nanoTime();
      expect(master.exchange("DELETE", key, null), 204, "DELETE");
      long t3 = System.nanoTime();
      put.recordValue(t1 - t0);
      get.recordValue(t2 - t1);
      delete.recordValue(t3 - t2);
      cycle.recordValue(t3 - t0);
    }

    private static Http1.Response expect(Http1.Response r, int status, String what)
        throws IOException {
      if (r.status() != status) {
        throw new IOException(
            what + ": " + r.status() + " (expected " + status + ") " + r.text().strip());
      }
      return r;
    }
  }
}
