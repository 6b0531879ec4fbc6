package mkv.tools.verify;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import mkv.cli.Cli;
import mkv.cli.DurationConverter;
import mkv.cli.Version;
import mkv.client.VolumeClient;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.PlacementRecord;
import mkv.layout.Placement;
import mkv.layout.PlacementOptions;
import mkv.repair.Verifier;
import mkv.tools.Progress;
import mkv.work.Pool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./mkv verify}: checks the index against the volumes and, with --repair, fixes what it can.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description = {
      "Walks the index and the volumes and reports: missing replicas, corrupt replicas (size, or"
          + " md5 with --md5), orphan files (no record), stale pending writes, keys on the wrong"
          + " volumes, unreachable volumes.",
      "With --repair: copies from a good replica over missing and corrupt ones, deletes orphans"
          + " older than --grace, resolves stale pending writes. Keys on the wrong volumes are left"
          + " to ./mkv rebalance.",
      "Offline (--db, no master running on it) or against a running master (--master), which runs"
          + " the same check on its own index, taking each key's lock before repairing it.",
      "Exit status: 0 when clean (after repairs), 1 while problems remain, 2 on a bad flag."
    })
public final class VerifyCommand implements Callable<Integer> {
  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "A running master, e.g. http://127.0.0.1:3000.")
  String master;

  @Option(
      names = "--db",
      paramLabel = "DIR",
      description = "The index directory (no master may hold it): offline.")
  Path db;

  /** Offline only; without --volumes, the placement the index holds. */
  @Mixin PlacementOptions placement;

  @Option(
      names = "--workers",
      defaultValue = "0",
      description = "Offline: checks in parallel (default: 4 per CPU core).")
  int workers;

  @Option(names = "--repair", description = "Fix what can be fixed (default: only report).")
  boolean repair;

  @Option(
      names = "--md5",
      description = "Read every replica to compare md5s (default: sizes only).")
  boolean md5;

  @Option(
      names = "--grace",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description =
          "Orphans and pending writes younger than this are writes in flight: left alone (default:"
              + " ${DEFAULT-VALUE}).")
  Duration grace;

  @Option(
      names = "--json",
      description = "Also print the result as one line of JSON on stdout, last.")
  boolean json;

  @Option(
      names = "--progress-interval",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "When not on a terminal, log progress this often (default: ${DEFAULT-VALUE}).")
  Duration progressInterval;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if ((master == null) == (db == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "give either --master URL (a running master) or --db DIR (a stopped one's index)");
    }
    boolean ok;
    if (master != null) {
      // the master streams text for people, then the count of what remains in a trailer
      Online result = online(out);
      ok = result.remaining() == 0;
      if (json) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("command", "verify");
        m.put("ok", ok);
        m.put("remaining", result.remaining());
        m.put("summary", result.summary());
        out.println(mkv.tools.Summary.json(m));
      }
    } else {
      Verifier.Report report = offline(out);
      ok = report.remaining() == 0;
      if (json) {
        out.println(mkv.tools.Summary.json("verify", ok, report, report.summary()));
      }
    }
    out.flush();
    return ok ? 0 : 1;
  }

  private Verifier.Report offline(PrintWriter out) throws Exception {
    Verifier.Options options =
        new Verifier.Options(repair, grace, md5, workers == 0 ? Pool.defaultWorkers() : workers);
    try (Index index = Index.open(db);
        ProgressListener progress = new ProgressListener(progressInterval)) {
      Placement where =
          placement.placement(
              PlacementRecord.stored(index)); // the flags, else what the index holds
      Verifier verifier =
          new Verifier(
              index,
              new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(60)),
              where,
              options,
              Verifier.KeyGuard.NONE,
              line -> {
                synchronized (out) {
                  out.println(line);
                }
              },
              progress);
      Verifier.Report report = verifier.run();
      out.println(report.summary());
      return report;
    }
  }

  /**
   * What a master's verify said: its summary line, and the problems left (-1: it did not finish).
   */
  private record Online(String summary, long remaining) {}

  private Online online(PrintWriter out) throws Exception {
    StringBuilder query = new StringBuilder("?grace=" + grace.toSeconds() + "s");
    if (repair) {
      query.append("&repair");
    }
    if (md5) {
      query.append("&md5");
    }
    OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofHours(24)).build();
    Request request =
        mkv.tools.AdminToken.sign(
                new Request.Builder()
                    .url(master.replaceAll("/+$", "") + Protocol.VERIFY + query)
                    .post(RequestBody.create(new byte[0], MediaType.get("text/plain"))))
            .build();
    try (Response r = http.newCall(request).execute()) {
      if (r.code() != 200) {
        throw new IllegalStateException(
            master + " answered " + r.code() + ": " + r.body().string().strip());
      }
      String last = "";
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          out.println(line);
          last = line;
        }
      }
      // the master ends the text with a trailer counting what remains; none: it stopped short
      String remaining = r.trailers().get(Protocol.VERIFY_REMAINING.toString());
      return new Online(last, remaining == null ? -1 : Long.parseLong(remaining));
    }
  }

  /** Shows each pass of a verify as a progress bar (or log lines). */
  private static final class ProgressListener implements Verifier.Listener, AutoCloseable {
    private final Duration interval;
    private Progress progress;

    ProgressListener(Duration interval) {
      this.interval = interval;
    }

    @Override
    public synchronized void pass(String name, String unit, long total) {
      close();
      progress = Progress.start(name, unit, total, Progress.onTerminal(), interval);
    }

    @Override
    public void step() {
      progress.step(0);
    }

    @Override
    public synchronized void close() {
      if (progress != null) {
        progress.close();
      }
    }
  }

  public static void main(String[] args) {
    Cli.main(new VerifyCommand(), args);
  }
}
