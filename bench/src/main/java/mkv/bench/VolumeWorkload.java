package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code volume}: GET of one blob (1 MiB by default) straight from a volume server, and, when nginx
 * is available, of a copy of the same file from a stock nginx, with the same client and
 * connections, so that the ratio compares the servers and nothing else.
 */
final class VolumeWorkload {
  /**
   * Few connections: each answer is a megabyte, the wire (not the request rate) is what is
   * measured.
   */
  static final int DEFAULT_CONNECTIONS = 8;

  private VolumeWorkload() {}

  static List<Result> run(BenchConfig config, Target target, Nginx nginx)
      throws IOException, InterruptedException {
    byte[] blob = new byte[config.volumeSize()];
    new Random(7).nextBytes(blob);
    String path = target.prefix + "/blob";
    try (Http1 http = new Http1(target.volume)) {
      Http1.Response r = http.exchange("PUT", path, blob);
      if (r.status() / 100 != 2) {
        throw new IOException(
            "PUT " + path + " to volume " + target.volume + ": " + r.status() + " " + r.text());
      }
    }
    List<Result> out = new ArrayList<>();
    try {
      Result ours = load(config, "volume", "volume GET " + label(blob.length), target.volume, path);
      out.add(ours);
      if (nginx != null) {
        Path copy = nginx.html().resolve(path.substring(1));
        Files.createDirectories(copy.getParent());
        Files.write(copy, blob);
        Result theirs =
            load(config, "volume", "nginx GET " + label(blob.length), nginx.address(), path);
        out.add(theirs);
        double ratio = theirs.opsPerSecond() > 0 ? ours.opsPerSecond() / theirs.opsPerSecond() : 0;
        out.set(0, ours.with("vs_nginx", Math.round(ratio * 1000) / 1000.0));
      }
    } finally {
      try (Http1 http = new Http1(target.volume)) {
        http.exchange("DELETE", path, null);
      }
    }
    return out;
  }

  private static Result load(
      BenchConfig config, String workload, String name, InetSocketAddress to, String path)
      throws IOException, InterruptedException {
    var spec =
        new KeepAliveLoad.Spec(
            to,
            new byte[][] {KeepAliveLoad.get(to, path)},
            200,
            config.concurrency(DEFAULT_CONNECTIONS),
            config.clientThreads(),
            256 * 1024);
    return Warmup.thenMeasure(
        config, workload, (bound, p) -> KeepAliveLoad.run(workload, name, spec, bound, p));
  }

  static String label(long bytes) {
    if (bytes % 1048576 == 0) {
      return bytes / 1048576 + " MiB";
    }
    return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
  }
}
