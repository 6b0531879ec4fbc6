package mkv.s3;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import mkv.cli.ServerProcess;
import mkv.testing.ChildJvm;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The targets, measured in one run on a cluster of child JVMs (3 volumes, 3 replicas, a
 * master, a gateway): GetObject of 1 MiB against a direct GET from a volume, small PutObject
 * against the master's PUT, and the gateway's RSS during a 256 MiB PutObject. Not part of the
 * build: run it with {@code s3/scripts/measure.sh} (or {@code -Dmkv.s3.measure=true}).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class S3MeasureTest {
  static final MediaType OCTETS = MediaType.get("application/octet-stream");
  @TempDir Path tmp;

  final Duration warmup = Duration.ofSeconds(Long.getLong("mkv.s3.warmup", 10));
  final Duration run = Duration.ofSeconds(Long.getLong("mkv.s3.duration", 10));
  final String sync = System.getProperty("mkv.s3.sync", "always");
  final OkHttpClient http =
      new OkHttpClient.Builder()
          .connectionPool(new ConnectionPool(64, 1, TimeUnit.MINUTES))
          .readTimeout(Duration.ofMinutes(2))
          .writeTimeout(Duration.ofMinutes(2))
          .followRedirects(false)
          .build();

  @Test
  void measure() throws Exception {
    assumeTrue(
        Boolean.getBoolean("mkv.s3.measure"),
        "run with -Dmkv.s3.measure=true (s3/scripts/measure.sh)");
    List<ServerProcess> servers = new ArrayList<>();
    try {
      List<String> volumes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ServerProcess v = ChildJvm.volume(tmp, i, 0, "--sync", sync);
        servers.add(v);
        volumes.add("127.0.0.1:" + v.port());
      }
      ServerProcess master =
          ChildJvm.start(
              tmp.resolve("master.log"),
              List.of(),
              "mkv.master.MasterMain",
              List.of(
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--db",
                  tmp.resolve("index").toString(),
                  "--volumes",
                  String.join(",", volumes),
                  "--replicas",
                  "3",
                  "--subvolumes",
                  "10",
                  "--sync",
                  sync));
      servers.add(master);
      Path creds = tmp.resolve("creds");
      Files.writeString(creds, S3Fixture.ACCESS + " " + S3Fixture.SECRET + "\n");
      ServerProcess gateway =
          ChildJvm.start(
              tmp.resolve("s3.log"),
              List.of(),
              "mkv.s3.S3Main",
              List.of(
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--master",
                  "http://127.0.0.1:" + master.port(),
                  "--credentials",
                  creds.toString()));
      servers.add(gateway);
      String masterUrl = "http://127.0.0.1:" + master.port();
      TestSigner s3 =
          new TestSigner("http://127.0.0.1:" + gateway.port(), S3Fixture.ACCESS, S3Fixture.SECRET);
      check(s3.call("PUT", "/bench", null).code(), 200, "create bucket");
      byte[] mib = new byte[1 << 20];
      new Random(1).nextBytes(mib);
      check(s3.call("PUT", "/bench/1MiB", mib).code(), 200, "put 1 MiB");
      String location;
      try (Response r =
          http.newCall(new Request.Builder().url(masterUrl + "/bench/1MiB").build()).execute()) {
        location = r.header("Location");
      }
      System.out.println(
          "sync "
              + sync
              + ", warm-up "
              + warmup.toSeconds()
              + " s, each run "
              + run.toSeconds()
              + " s, 8 readers / 16 writers, all on this machine's cores");

      byte[] kib = new byte[1024];
      AtomicLong n = new AtomicLong();
      Op volumeGet = i -> get(new Request.Builder().url(location).build(), 1 << 20);
      Op gatewayGet =
          i ->
              get(
                  s3.request(
                      "GET", "/bench/1MiB", null, "x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                  1 << 20);
      Op masterPut =
          i ->
              put(
                  new Request.Builder()
                      .url(masterUrl + "/bench/m/" + n.incrementAndGet())
                      .put(RequestBody.create(kib, OCTETS))
                      .build(),
                  201);
      Op gatewayPut =
          i ->
              put(
                  s3.request(
                      "PUT",
                      "/bench/s/" + n.incrementAndGet(),
                      kib,
                      "x-amz-content-sha256",
                      "UNSIGNED-PAYLOAD"),
                  200);
      // one warm-up of every path first (the JIT of four JVMs), then each measured twice,
      // interleaved
      for (Op op : List.of(volumeGet, gatewayGet)) {
        rate(8, op, warmup);
      }
      for (Op op : List.of(masterPut, gatewayPut)) {
        rate(16, op, warmup);
      }
      double g1 = rate(8, volumeGet, run);
      long c0 = cpuTicks(gateway.pid());
      double s1 = rate(8, gatewayGet, run);
      double getCpu = (cpuTicks(gateway.pid()) - c0) * 10.0 / (s1 * run.toSeconds());
      double g2 = rate(8, volumeGet, run);
      double s2 = rate(8, gatewayGet, run);
      System.out.printf(
          "GET 1 MiB: volume %.0f and %.0f/s, gateway %.0f and %.0f/s: ratio %.2f; gateway CPU %.2f"
              + " ms per GET%n",
          g1, g2, s1, s2, (s1 + s2) / (g1 + g2), getCpu);
      double p1 = rate(16, masterPut, run);
      long c1 = cpuTicks(gateway.pid());
      double q1 = rate(16, gatewayPut, run);
      double putCpu = (cpuTicks(gateway.pid()) - c1) * 10.0 / (q1 * run.toSeconds());
      double p2 = rate(16, masterPut, run);
      double q2 = rate(16, gatewayPut, run);
      System.out.printf(
          "PUT 1 KiB: master %.0f and %.0f/s, gateway %.0f and %.0f/s: ratio %.2f; gateway CPU %.2f"
              + " ms per PUT%n",
          p1, p2, q1, q2, (q1 + q2) / (p1 + p2), putCpu);

      long before = rssKib(gateway.pid());
      AtomicLong peak = new AtomicLong(before);
      AtomicBoolean uploading = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (uploading.get()) {
                  peak.accumulateAndGet(rssKib(gateway.pid()), Math::max);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.start();
      long t0 = System.nanoTime();
      Request big =
          s3.request("PUT", "/bench/256MiB", null, "x-amz-content-sha256", "UNSIGNED-PAYLOAD")
              .newBuilder()
              .put(new Zeros(256L << 20))
              .build();
      try (Response r = http.newCall(big).execute()) {
        check(r.code(), 200, "256 MiB PutObject");
      } finally {
        uploading.set(false);
        sampler.join();
      }
      System.out.printf(
          "PUT 256 MiB through the gateway: %.2f s, gateway RSS %d MiB before, peak +%d MiB%n",
          (System.nanoTime() - t0) / 1e9, before / 1024, (peak.get() - before) / 1024);
    } finally {
      for (int i = servers.size() - 1; i >= 0; i--) {
        servers.get(i).close();
      }
    }
  }

  @FunctionalInterface
  interface Op {
    void run(int worker) throws IOException;
  }

  /** Operations per second over {@code time}, with {@code threads} workers. */
  double rate(int threads, Op op, Duration time) throws Exception {
    AtomicLong done = new AtomicLong();
    long measureFrom = System.nanoTime();
    long end = measureFrom + time.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int worker = t;
      futures.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < end) {
                  op.run(worker);
                  done.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    return done.get() / (time.toNanos() / 1e9);
  }

  void get(Request r, long expect) throws IOException {
    try (Response response = http.newCall(r).execute()) {
      long n = response.body().source().readAll(okio.Okio.blackhole());
      if (response.code() != 200 || n != expect) {
        throw new IOException(response.code() + " with " + n + " bytes");
      }
    }
  }

  void put(Request r, int status) throws IOException {
    try (Response response = http.newCall(r).execute()) {
      if (response.code() != status) {
        throw new IOException(response.code() + " " + response.body().string());
      }
    }
  }

  static void check(int got, int want, String what) {
    if (got != want) {
      throw new AssertionError(what + ": " + got);
    }
  }

  /** utime + stime of a process, in clock ticks. */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException e) {
      return 0;
    }
  }

  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      // gone
    }
    return 0;
  }

  /** A streamed body of zeros, never held. */
  static final class Zeros extends RequestBody {
    private final long length;

    Zeros(long length) {
      this.length = length;
    }

    @Override
    public MediaType contentType() {
      return OCTETS;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] buf = new byte[64 * 1024];
      for (long left = length; left > 0; left -= buf.length) {
        sink.write(buf, 0, (int) Math.min(buf.length, left));
      }
    }
  }
}
