package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The request-rate workloads, all on {@link KeepAliveLoad}: {@code missing} (GET of keys that do
 * not exist: 404), {@code redirect} (GET of existing keys, the 302 not followed) and {@code
 * ceiling} (nginx's bare {@code return 302}: what this client can drive on this machine at all).
 */
final class GetWorkloads {
  /** Many connections: a redirect is cheap, so the server needs many in flight to stay busy. */
  static final int DEFAULT_CONNECTIONS = 64;

  private GetWorkloads() {}

  static Result missing(BenchConfig config, Target target)
      throws IOException, InterruptedException {
    byte[][] requests = new byte[config.keys()][];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = KeepAliveLoad.get(target.master, target.prefix + "/missing/" + i);
    }
    return load(config, "missing", "missing (404)", target.master, requests, 404);
  }

  static Result redirect(BenchConfig config, Target target)
      throws IOException, InterruptedException {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < config.keys(); i++) {
      keys.add(target.prefix + "/redirect/" + i);
    }
    try (LiveLine p = LiveLine.start("redirect")) {
      p.phase("(set-up: PUT of " + keys.size() + " keys)");
      target.putAll(keys, "redirect-me".getBytes(), 16, p);
    }
    byte[][] requests = new byte[keys.size()][];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = KeepAliveLoad.get(target.master, keys.get(i));
    }
    return load(config, "redirect", "redirect (302)", target.master, requests, 302)
        .with("keys", keys.size());
  }

  static Result ceiling(BenchConfig config, Nginx nginx) throws IOException, InterruptedException {
    byte[][] requests = {KeepAliveLoad.get(nginx.address(), Nginx.REDIRECT_PATH)};
    return load(config, "ceiling", "nginx return 302", nginx.address(), requests, 302);
  }

  private static Result load(
      BenchConfig config,
      String workload,
      String name,
      InetSocketAddress to,
      byte[][] requests,
      int expect)
      throws IOException, InterruptedException {
    var spec =
        new KeepAliveLoad.Spec(
            to,
            requests,
            expect,
            config.concurrency(DEFAULT_CONNECTIONS),
            config.clientThreads(),
            16 * 1024);
    return Warmup.thenMeasure(
        config, workload, (bound, p) -> KeepAliveLoad.run(workload, name, spec, bound, p));
  }
}
