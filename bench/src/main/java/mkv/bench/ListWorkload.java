package mkv.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.Placement;
import org.HdrHistogram.Histogram;

/**
 * {@code list}: writes {@code --list-keys} keys under one prefix (set-up, timed separately), then
 * pages through them with {@code ?list&limit=PAGE&start=NEXT} again and again. One operation is one
 * page; each full pass must see exactly the keys written.
 */
final class ListWorkload {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ListWorkload() {}

  /** The i-th key under {@code prefix}; zero-padded so byte order is numeric order. */
  static String key(String runPrefix, int i) {
    return runPrefix + "/list/" + String.format("%08d", i);
  }

  /**
   * With --cluster: writes the keys as LIVE records straight into the index before the master opens
   * it. Listing reads only the index, and writing 100,000 keys through the master's PUT (an fsync
   * on three volumes each) would take minutes of set-up.
   */
  static void seed(Index index, Placement placement, String runPrefix, int count) {
    long now = System.currentTimeMillis();
    for (int i = 0; i < count; i++) {
      String k = key(runPrefix, i);
      index.put(k, Record.live(placement.replicasFor(k)).withSize(1).withCreated(now), false);
    }
  }

  static List<Result> run(BenchConfig config, Target target)
      throws IOException, InterruptedException {
    String prefix = target.prefix + "/list/";
    List<String> keys = new ArrayList<>(config.listKeys());
    for (int i = 0; i < config.listKeys(); i++) {
      keys.add(key(target.prefix, i));
    }
    List<Result> out = new ArrayList<>();
    if (!config.listSeeded()) {
      int writers = config.concurrency(32);
      long t0 = System.nanoTime();
      try (LiveLine p = LiveLine.start("list")) {
        p.phase("(set-up: PUT of " + keys.size() + " keys)");
        target.putAll(keys, new byte[] {'x'}, writers, p);
      }
      double putSeconds = (System.nanoTime() - t0) / 1e9;
      out.add(
          new Result(
              "list",
              "list set-up PUT",
              keys.size(),
              0,
              keys.size(),
              putSeconds,
              Result.newHistogram(),
              null,
              new LinkedHashMap<>(Map.of("workers", writers))));
    }

    Bound bound = new Bound(config.duration(), config.count());
    Histogram latency = Result.newHistogram();
    long pages = 0;
    long errors = 0;
    long passes = 0;
    long keysSeen = 0;
    long bytes = 0;
    String firstError = null;
    long start = System.nanoTime();
    try (LiveLine progress = LiveLine.start("list");
        Http1 http = new Http1(target.master)) {
      String next = "";
      long inPass = 0;
      while (bound.tryAcquire()) {
        String url =
            prefix
                + "?list&limit="
                + config.pageSize()
                + (next.isEmpty()
                    ? ""
                    : "&start=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        long t = System.nanoTime();
        try {
          Http1.Response r = http.exchange("GET", url, null);
          latency.recordValue(System.nanoTime() - t);
          if (r.status() != 200) {
            throw new IOException("GET " + url + ": " + r.status() + " " + r.text().strip());
          }
          bytes += r.body().length;
          JsonNode page = JSON.readTree(r.body());
          int n = page.get("keys").size();
          inPass += n;
          keysSeen += n;
          pages++;
          progress.ops.increment();
          next = page.get("next").asText();
          if (next.isEmpty()) {
            if (inPass != keys.size()) {
              throw new IOException(
                  "a pass over "
                      + prefix
                      + " listed "
                      + inPass
                      + " keys, "
                      + keys.size()
                      + " written");
            }
            passes++;
            inPass = 0;
          }
        } catch (IOException | RuntimeException e) {
          errors++;
          progress.errors.increment();
          firstError = firstError == null ? e.getMessage() : firstError;
          next = "";
          inPass = 0;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("keys", keys.size());
    extra.put("page_size", config.pageSize());
    extra.put("full_passes", passes);
    extra.put("keys_per_s", Math.round(keysSeen / seconds));
    extra.put("keys_seeded_into_index", config.listSeeded());
    out.add(
        new Result(
            "list",
            "list page of " + config.pageSize(),
            pages,
            errors,
            bytes,
            seconds,
            latency,
            firstError,
            extra));
    return out;
  }
}
