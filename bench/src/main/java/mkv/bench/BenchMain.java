package mkv.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import mkv.cli.Cli;
import mkv.cli.DurationConverter;
import mkv.cli.SyncOptions;
import mkv.cli.Version;
import mkv.http.Protocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./mkv bench}: the load generator; {@code --cluster} runs every workload on a local
 * cluster.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    description =
        "Load generator for a master (--url) or a local cluster of child processes (--cluster)."
            + " Prints a table, writes JSON (--out) and a chart (--plot); exits 1 if any request"
            + " failed.")
public final class BenchMain implements Callable<Integer> {
  @Option(names = "--url", description = "Master to load, e.g. http://127.0.0.1:3000.")
  URI url;

  @Option(
      names = "--cluster",
      description =
          "Start a master and 3 volumes (3 replicas, 10 subvolumes) as child "
              + "processes in a temp dir, run the workloads, then stop and delete everything.")
  boolean cluster;

  @Option(
      names = "--workloads",
      split = ",",
      description =
          "Comma-separated, from: missing, redirect, cycle, disk (the fsync reference for cycle),"
              + " large, volume, list, ceiling, s3 (the S3 gateway against a volume and the master;"
              + " --cluster only) (default: all).")
  List<String> workloads = BenchConfig.ALL;

  @Option(
      names = "--concurrency",
      description =
          "Connections or workers for every workload (default: 64 for missing/redirect/ceiling, 16"
              + " for cycle, 8 for volume, 32 writers for the list set-up).")
  Integer concurrency;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Most time per workload (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description =
          "How long each rate workload (missing, redirect, cycle, volume, ceiling) runs unmeasured"
              + " first, so that the servers' JIT has compiled their hot path (cycle's PUT and"
              + " DELETE paths take ~30 s of load on 2 cores); 0s for none (default:"
              + " ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--count",
      defaultValue = "9223372036854775807",
      description = "Most operations per workload (default: unbounded; large always does one).")
  long count;

  @Option(
      names = "--size",
      defaultValue = "256MiB",
      converter = SizeConverter.class,
      description = "Value size of large (default: ${DEFAULT-VALUE}).")
  long size;

  @Option(
      names = "--cycle-size",
      defaultValue = "1KiB",
      converter = SizeConverter.class,
      description = "Value size of cycle (default: ${DEFAULT-VALUE}).")
  long cycleSize;

  @Option(
      names = "--volume-size",
      defaultValue = "1MiB",
      converter = SizeConverter.class,
      description = "Blob size of volume (default: ${DEFAULT-VALUE}).")
  long volumeSize;

  @Option(
      names = "--keys",
      defaultValue = "1000",
      description = "Keys GET by missing and redirect (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(
      names = "--list-keys",
      defaultValue = "100000",
      description = "Keys under the prefix list pages through " + "(default: ${DEFAULT-VALUE}).")
  int listKeys;

  @Option(
      names = "--page-size",
      defaultValue = "1000",
      description = "Keys per list page (default: ${DEFAULT-VALUE}).")
  int pageSize;

  @Option(
      names = "--client-threads",
      defaultValue = "2",
      description =
          "Selector threads of the fast client; on 2 shared cores two drive nginx's return 302"
              + " ~12%% faster than one (default: ${DEFAULT-VALUE}).")
  int clientThreads;

  @Option(
      names = "--keep-keys",
      description =
          "With --url: leave the keys this run wrote (default: delete them " + "at the end).")
  boolean keepKeys;

  @Option(
      names = "--master-pid",
      defaultValue = "0",
      description = "With --url: the master's PID, for its RSS in large.")
  long masterPid;

  @Option(
      names = "--volume-url",
      description =
          "With --url: the volume for the volume workload (default: the "
              + "first of the master's /_volumes).")
  URI volumeUrl;

  @Option(
      names = "--nginx",
      description = "nginx binary for the references (default: nginx on PATH or /usr/sbin).")
  Path nginxBinary;

  @Option(names = "--no-nginx", description = "Skip the nginx references.")
  boolean noNginx;

  @Option(
      names = "--child-jvm-opts",
      defaultValue = "",
      description =
          "With --cluster: extra JVM flags for the master and volumes, space-separated; {name}"
              + " becomes master, volume0, ... (e.g. for JFR file names).")
  String childJvmOpts;

  @Mixin SyncOptions sync;

  @Option(
      names = "--reference-volumes",
      description =
          "With --cluster and cycle: run cycle a second time, on our master over 3 stock nginx"
              + " WebDAV volumes (nginx), and give every CPU figure of cycle in units of an nginx"
              + " volume's CPU per cycle in the same run.")
  String referenceVolumes;

  @Option(
      names = "--out",
      defaultValue = "results.json",
      description = "JSON results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--plot", description = "PNG bar chart of ops/s and p99 latency per workload.")
  Path plot;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (cluster == (url != null)) {
      return usage("give exactly one of --url and --cluster");
    }
    for (String w : workloads) {
      if (!BenchConfig.ALL.contains(w)) {
        return usage(
            "unknown workload '" + w + "'; choose from " + String.join(",", BenchConfig.ALL));
      }
    }
    if (referenceVolumes != null && (!referenceVolumes.equals("nginx") || !cluster)) {
      return usage("--reference-volumes takes nginx, with --cluster");
    }
    Path nginx = noNginx ? null : nginxBinary != null ? nginxBinary : Nginx.find();
    if (referenceVolumes != null && nginx == null) {
      return usage(
          "--reference-volumes nginx needs nginx (apt-get install nginx, or --nginx PATH)");
    }
    List<AutoCloseable> open = new ArrayList<>();
    // Ctrl-C: stop the children and delete the temp dirs; normal exits close them below first
    Thread hook = new Thread(() -> closeAll(open), "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      String prefix = Target.newPrefix();
      boolean seedList = cluster && workloads.contains("list");
      LocalCluster.Gateway gateway = null;
      URI master = url;
      long pid = masterPid;
      InetSocketAddress volume = volumeUrl == null ? null : Http1.addressOf(volumeUrl);
      Map<String, Long> processes = masterPid > 0 ? Map.of("master", masterPid) : Map.of();
      List<String> opts =
          childJvmOpts.isBlank() ? List.of() : Arrays.asList(childJvmOpts.trim().split("\\s+"));
      LocalCluster.Spec spec =
          new LocalCluster.Spec(3, 3, 10, opts, sync.mode, sync.interval, null);
      if (cluster) {
        System.err.println("bench: starting a master and 3 volumes (--sync " + sync.mode + ")...");
        LocalCluster c =
            LocalCluster.start(
                spec,
                seedList
                    ? (index, placement) -> ListWorkload.seed(index, placement, prefix, listKeys)
                    : null);
        synchronized (open) {
          open.add(c);
        }
        master = URI.create(c.masterUrl());
        if (workloads.contains("s3")) {
          gateway = c.startGateways(opts);
        }
        pid = c.masterPid();
        volume = c.volumes().get(0);
        processes = c.processes();
      } else if (volume == null && workloads.contains("volume")) {
        volume = firstVolume(master);
      }
      BenchConfig config;
      try {
        config =
            new BenchConfig(
                workloads,
                concurrency,
                duration,
                warmup,
                count,
                size,
                Math.toIntExact(cycleSize),
                Math.toIntExact(volumeSize),
                keys,
                listKeys,
                pageSize,
                clientThreads,
                pid,
                volume,
                nginx,
                seedList,
                sync.mode);
      } catch (IllegalArgumentException | ArithmeticException e) {
        return usage(e.getMessage());
      }
      Nginx server = null;
      if (nginx != null && (workloads.contains("volume") || workloads.contains("ceiling"))) {
        server = Nginx.start(nginx);
        synchronized (open) {
          open.add(server);
        }
      }
      Target target = new Target(master, volume, prefix, processes);
      List<Result> results = run(config, target, server, gateway);
      if (url != null && !keepKeys) {
        System.err.println(
            "bench: deleting the keys this run wrote under "
                + prefix
                + " (--keep-keys keeps them)...");
        System.err.println("bench: deleted " + target.cleanUp(16) + " keys");
      }
      if (referenceVolumes != null && workloads.contains("cycle")) {
        results = withNginxVolumes(config, spec.onNginx(nginx), results, open);
      }
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("started", Instant.now().toString());
      run.put(
          "target",
          cluster
              ? "--cluster (master + 3 volumes, 3 replicas, 10 subvolumes)"
              : master.toString());
      run.put("cores", Runtime.getRuntime().availableProcessors());
      run.put(
          "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      run.put("duration_s", duration.toMillis() / 1000.0);
      run.put("warmup_s", warmup.toMillis() / 1000.0);
      run.put("nginx", nginx == null ? null : nginx.toString());
      run.put("sync", sync.mode.toString());
      run.put("sync_interval_ms", sync.interval.toMillis());
      System.out.println();
      Report.table(results, System.out);
      if (out != null) {
        Report.json(results, run, out);
        System.err.println("bench: wrote " + out);
      }
      if (plot != null) {
        Report.plot(results, "mkv bench", plot);
        System.err.println("bench: wrote " + plot);
      }
      long errors = results.stream().mapToLong(Result::errors).sum();
      if (errors > 0) {
        System.out.println("bench: " + errors + " errors: the figures above are not to be trusted");
        return 1;
      }
      return 0;
    } finally {
      closeAll(open);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }
  }

  private List<Result> run(
      BenchConfig config, Target target, Nginx nginx, LocalCluster.Gateway gateway)
      throws IOException, InterruptedException {
    List<Result> results = new ArrayList<>();
    for (String w : config.workloads()) {
      System.err.println("bench: " + w + "...");
      switch (w) {
        case "missing" -> results.add(GetWorkloads.missing(config, target));
        case "redirect" -> results.add(GetWorkloads.redirect(config, target));
        case "cycle" -> results.add(CycleWorkload.run(config, target));
        case "disk" -> results.add(DiskWorkload.run(config));
        case "large" -> results.addAll(LargeWorkload.run(config, target));
        case "volume" -> results.addAll(VolumeWorkload.run(config, target, nginx));
        case "list" -> results.addAll(ListWorkload.run(config, target));
        case "ceiling" -> {
          if (nginx == null) {
            System.err.println("bench: ceiling skipped: nginx is not installed (or --no-nginx)");
          } else {
            results.add(GetWorkloads.ceiling(config, nginx));
          }
        }
        case "s3" -> {
          if (gateway == null) {
            System.err.println("bench: s3 skipped: it runs with --cluster, which starts a gateway");
          } else {
            results.addAll(S3Workload.run(config, target, gateway));
          }
        }
        default -> throw new IllegalStateException(w);
      }
    }
    return results;
  }

  /**
   * Runs cycle again on our master over stock nginx volumes, and restates our cycle's CPU in units
   * of an nginx volume's CPU per cycle; the reference row follows ours.
   */
  private static List<Result> withNginxVolumes(
      BenchConfig config, LocalCluster.Spec spec, List<Result> results, List<AutoCloseable> open)
      throws IOException, InterruptedException {
    System.err.println("bench: cycle on our master over 3 nginx volumes (the CPU unit)...");
    LocalCluster c = LocalCluster.start(spec, null);
    synchronized (open) {
      open.add(c);
    }
    Result reference;
    try {
      reference =
          CycleWorkload.run(
                  config,
                  new Target(
                      URI.create(c.masterUrl()),
                      c.volumes().get(0),
                      Target.newPrefix(),
                      c.processes()))
              .named("cycle, nginx volumes");
    } finally {
      c.close();
    }
    List<Result> out = new ArrayList<>();
    for (Result r : results) {
      out.add(r.workload().equals("cycle") ? CycleWorkload.inNginxUnits(r, reference) : r);
      if (r.workload().equals("cycle")) {
        out.add(reference);
      }
    }
    return out;
  }

  /** A bad flag: the reason and the usage on stderr, exit status 2. */
  private int usage(String why) {
    spec.commandLine().getErr().println("bench: " + why);
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** The first volume the master reports at {@code /_volumes}. */
  private static InetSocketAddress firstVolume(URI master) throws IOException {
    try (Http1 http = new Http1(Http1.addressOf(master))) {
      Http1.Response r = http.exchange("GET", Protocol.VOLUMES, null);
      JsonNode list = new ObjectMapper().readTree(r.body());
      if (r.status() != 200 || list.size() == 0) {
        throw new IOException(
            "cannot find a volume at "
                + master
                + Protocol.VOLUMES
                + " ("
                + r.status()
                + "); give --volume-url");
      }
      String hostPort = list.get(0).get("volume").asText();
      return Http1.addressOf(URI.create("http://" + hostPort.replaceFirst("/.*", "")));
    }
  }

  private static void closeAll(List<AutoCloseable> open) {
    synchronized (open) {
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception e) {
          System.err.println("bench: cleaning up: " + e);
        }
      }
      open.clear();
    }
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    Cli.main(new BenchMain(), args);
  }
}
