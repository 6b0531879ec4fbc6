package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import mkv.s3.auth.Presigner;
import org.HdrHistogram.Histogram;

/**
 * {@code s3} (with {@code --cluster}): the S3 gateway against what it fronts, each pair in one run:
 * GetObject of 1 MiB against a direct GET of the same file from a volume (through a gateway that
 * relays it, and one that reads the volumes' directories), a small PutObject against the master's
 * PUT, and the gateway's RSS while a 256 MiB PutObject streams through it. Requests are presigned
 * (SigV4 in the query string), so the gateway checks a signature on every one.
 */
final class S3Workload {
  private static final int MIB = 1 << 20;
  private static final long LARGE = 256L << 20;
  private static final int GET_CONNECTIONS = 8;
  private static final int PUT_WORKERS = 16;
  private static final Duration VALID = Duration.ofHours(6);

  private S3Workload() {}

  static List<Result> run(BenchConfig config, Target target, LocalCluster.Gateway gateway)
      throws IOException, InterruptedException {
    InetSocketAddress s3 = gateway.address();
    Presigner presigner =
        new Presigner(
            s3.getHostString() + ":" + s3.getPort(),
            gateway.access(),
            gateway.secret(),
            "us-east-1");
    String bucket = target.prefix.substring(1).toLowerCase(Locale.ROOT);
    String object = "/" + bucket + "/1MiB";
    String location;
    try (Http1 client = new Http1(s3, MIB + 64 * 1024);
        Http1 master = new Http1(target.master)) {
      expect(client.exchange("PUT", presigner.pathAndQuery("PUT", "/" + bucket, VALID), null), 200);
      byte[] value = new byte[MIB];
      new Random(1).nextBytes(value);
      expect(
          client.stream(
              "PUT",
              presigner.pathAndQuery("PUT", object, VALID),
              MIB,
              out -> out.write(value),
              (b, o, l) -> {}),
          200);
      location = master.exchange("GET", object, null).header("location");
    }
    URI volume = URI.create(location);
    List<Result> results = new ArrayList<>();
    Result direct = get(config, "volume GET 1 MiB", Http1.addressOf(volume), volume.getRawPath());
    Result relayed =
        get(config, "s3 GetObject 1 MiB", s3, presigner.pathAndQuery("GET", object, VALID));
    InetSocketAddress local = gateway.localReads();
    Result fromDisk =
        get(
            config,
            "s3 GetObject 1 MiB local",
            local,
            new Presigner(
                    local.getHostString() + ":" + local.getPort(),
                    gateway.access(),
                    gateway.secret(),
                    "us-east-1")
                .pathAndQuery("GET", object, VALID));
    results.add(direct);
    results.add(relayed.with("vs_reference", ratio(relayed, direct)));
    results.add(fromDisk.with("vs_reference", ratio(fromDisk, direct)));

    byte[] kib = new byte[1024];
    AtomicLong n = new AtomicLong();
    Result masterPut =
        put(config, "master PUT 1 KiB", target.master, kib, 201, i -> object + "-m/" + i, n);
    Result s3Put =
        put(
            config,
            "s3 PutObject 1 KiB",
            s3,
            kib,
            200,
            i -> presigner.pathAndQuery("PUT", object + "-s/" + i, VALID),
            n);
    results.add(masterPut);
    results.add(s3Put.with("vs_reference", ratio(s3Put, masterPut)));
    results.add(large(presigner, s3, gateway.pid(), "/" + bucket + "/256MiB"));
    return results;
  }

  private static double ratio(Result r, Result reference) {
    double ref = reference.opsPerSecond();
    return ref > 0 ? Math.round(100 * r.opsPerSecond() / ref) / 100.0 : 0;
  }

  private static Result get(BenchConfig config, String name, InetSocketAddress to, String target)
      throws IOException, InterruptedException {
    var spec =
        new KeepAliveLoad.Spec(
            to,
            new byte[][] {KeepAliveLoad.get(to, target)},
            200,
            config.concurrency(GET_CONNECTIONS),
            config.clientThreads(),
            256 * 1024);
    return Warmup.thenMeasure(
        config, "s3", (bound, p) -> KeepAliveLoad.run("s3", name, spec, bound, p));
  }

  /** PUTs of {@code value} to new keys ({@code target} names the n-th) by closed-loop workers. */
  private static Result put(
      BenchConfig config,
      String name,
      InetSocketAddress to,
      byte[] value,
      int expect,
      LongFunction<String> target,
      AtomicLong n)
      throws IOException, InterruptedException {
    return Warmup.thenMeasure(
        config,
        "s3",
        (bound, progress) -> {
          int workers = config.concurrency(PUT_WORKERS);
          List<Histogram> latencies = new ArrayList<>();
          AtomicLong ops = new AtomicLong();
          AtomicLong errors = new AtomicLong();
          String[] firstError = {null};
          List<Thread> threads = new ArrayList<>();
          long start = System.nanoTime();
          for (int w = 0; w < workers; w++) {
            Histogram latency = Result.newHistogram();
            latencies.add(latency);
            Thread t =
                new Thread(
                    () -> {
                      try (Http1 http = new Http1(to)) {
                        while (bound.tryAcquire()) {
                          long t0 = System.nanoTime();
                          try {
                            expect(
                                http.exchange("PUT", target.apply(n.incrementAndGet()), value),
                                expect);
                            latency.recordValue(System.nanoTime() - t0);
                            ops.incrementAndGet();
                            progress.ops.increment();
                          } catch (IOException | RuntimeException e) {
                            errors.incrementAndGet();
                            progress.errors.increment();
                            synchronized (firstError) {
                              firstError[0] =
                                  firstError[0] == null ? e.getMessage() : firstError[0];
                            }
                          }
                        }
                      }
                    },
                    "s3-put-" + w);
            t.start();
            threads.add(t);
          }
          for (Thread t : threads) {
            t.join();
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          Histogram all = Result.newHistogram();
          latencies.forEach(all::add);
          return new Result(
              "s3",
              name,
              ops.get(),
              errors.get(),
              ops.get() * value.length,
              seconds,
              all,
              firstError[0],
              Map.of());
        });
  }

  /** One 256 MiB PutObject, with the gateway's RSS before and at its peak. */
  private static Result large(Presigner presigner, InetSocketAddress s3, long pid, String key)
      throws IOException {
    Histogram latency = Result.newHistogram();
    long t0 = System.nanoTime();
    long before;
    long peak;
    try (Rss rss = Rss.watch(pid);
        Http1 client = new Http1(s3)) {
      expect(
          client.stream(
              "PUT",
              presigner.pathAndQuery("PUT", key, VALID),
              LARGE,
              out -> LargeWorkload.writePattern(out, LARGE),
              (b, o, l) -> {}),
          200);
      before = rss.before();
      peak = rss.peak();
    }
    long took = System.nanoTime() - t0;
    latency.recordValue(took);
    return new Result(
            "s3", "s3 PutObject 256 MiB", 1, 0, LARGE, took / 1e9, latency, null, Map.of())
        .with("gateway_rss_before_mib", before >> 20)
        .with("gateway_rss_growth_mib", (peak - before) >> 20);
  }

  private static void expect(Http1.Response r, int status) throws IOException {
    if (r.status() != status) {
      throw new IOException(r.status() + ": " + r.text().strip());
    }
  }
}
