package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import mkv.index.Index;
import mkv.layout.Placement;
import mkv.sync.SyncMode;
import mkv.testing.NginxVolume;
import mkv.testing.ServerProcess;

/**
 * {@code --cluster}: a master and volume servers as child processes on 127.0.0.1 with their data in
 * a temp dir, which {@link #close} deletes after stopping them. Child processes (not threads of
 * this JVM) so that the load generator does not share a heap or GC with the servers, and so that
 * each server's RSS and CPU are its own. The volumes are ours, or stock nginx ones (the reference).
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /**
   * What to start.
   *
   * @param jvmOptions extra flags for every child JVM; {@code {name}} becomes master, volume0, ...
   * @param nginx the nginx binary, to run the volumes as stock nginx; null for ours
   */
  record Spec(
      int volumes,
      int replicas,
      int subvolumes,
      List<String> jvmOptions,
      SyncMode sync,
      Duration syncInterval,
      Path nginx) {

    /** The same cluster with stock nginx volumes. */
    Spec onNginx(Path binary) {
      return new Spec(volumes, replicas, subvolumes, jvmOptions, sync, syncInterval, binary);
    }
  }

  private final Path root;
  private final List<AutoCloseable> volumes = new ArrayList<>();
  private final Map<String, Long> processes = new LinkedHashMap<>();
  private final List<InetSocketAddress> addresses = new ArrayList<>();
  private ServerProcess master;
  private final List<String> localVolumes = new ArrayList<>();
  private final List<ServerProcess> gateways = new ArrayList<>();

  /**
   * The S3 gateways in front of the master, with the keys made up for this run.
   *
   * @param address a gateway that relays values from the volumes over HTTP
   * @param pid its process
   * @param localReads a gateway that sends values from the volumes' directories ({@code
   *     --local-volume})
   */
  record Gateway(
      InetSocketAddress address,
      long pid,
      String access,
      String secret,
      InetSocketAddress localReads) {}

  private LocalCluster(Path root) {
    this.root = root;
  }

  /**
   * Starts the volumes, then a master over them.
   *
   * @param seed given the index before the master opens it (null for none)
   */
  static LocalCluster start(Spec spec, BiConsumer<Index, Placement> seed) throws IOException {
    LocalCluster c = new LocalCluster(Files.createTempDirectory("mkv-bench-cluster-"));
    try {
      List<String> names = new ArrayList<>();
      List<String> sync =
          List.of(
              "--sync",
              spec.sync().toString(),
              "--sync-interval",
              spec.syncInterval().toMillis() + "ms");
      for (int i = 0; i < spec.volumes(); i++) {
        String name = spec.nginx() == null ? "volume" + i : "nginx" + i;
        Path dir = Files.createDirectories(c.root.resolve(name));
        int port;
        if (spec.nginx() == null) {
          List<String> args =
              new ArrayList<>(
                  List.of("--host", "127.0.0.1", "--port", "0", "--dir", dir.toString()));
          args.addAll(sync);
          ServerProcess v =
              ServerProcess.start(
                  name,
                  c.java(name, spec.jvmOptions(), "mkv.volume.VolumeMain", args),
                  c.root.resolve(name + ".log"),
                  STARTUP);
          c.volumes.add(v);
          c.processes.put(name, v.pid());
          port = v.port();
        } else {
          // as minikeyvalue's volume script runs it: a worker per core
          NginxVolume v = NginxVolume.start(spec.nginx(), dir, "auto");
          c.volumes.add(v);
          c.processes.put(name, v.pid());
          port = v.port();
        }
        names.add("127.0.0.1:" + port);
        c.localVolumes.add("127.0.0.1:" + port + "=" + dir);
        c.addresses.add(InetSocketAddress.createUnresolved("127.0.0.1", port));
      }
      if (seed != null) {
        try (Index index = Index.open(c.root.resolve("index"))) {
          seed.accept(index, new Placement(names, spec.replicas(), spec.subvolumes()));
        }
      }
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--db",
                  c.root.resolve("index").toString(),
                  "--volumes",
                  String.join(",", names),
                  "--replicas",
                  Integer.toString(spec.replicas()),
                  "--subvolumes",
                  Integer.toString(spec.subvolumes())));
      args.addAll(sync);
      c.master =
          ServerProcess.start(
              "master",
              c.java("master", spec.jvmOptions(), "mkv.master.MasterMain", args),
              c.root.resolve("master.log"),
              STARTUP);
      c.processes.put("master", c.master.pid());
    } catch (Throwable e) {
      c.close(); // whatever failed (even a missing class), no child may outlive us
      throw e;
    }
    return c;
  }

  /**
   * This JVM's java and class path (the bench fat jar holds master and volume too); {@code {name}}
   * in a flag becomes the child's name.
   */
  private List<String> java(String name, List<String> jvmOptions, String main, List<String> args) {
    List<String> flags = jvmOptions.stream().map(o -> o.replace("{name}", name)).toList();
    return ServerProcess.java(flags, System.getProperty("java.class.path"), main, args);
  }

  /**
   * Starts two S3 gateways in front of the master (the bench fat jar holds it too): one relaying
   * values, one reading the volumes' directories.
   */
  synchronized Gateway startGateways(List<String> jvmOptions) throws IOException {
    java.security.SecureRandom random = new java.security.SecureRandom();
    String access = "BENCH" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36).toUpperCase();
    byte[] secretBytes = new byte[30];
    random.nextBytes(secretBytes);
    String secret = java.util.Base64.getEncoder().encodeToString(secretBytes);
    Path credentials = root.resolve("s3-credentials");
    Files.writeString(credentials, access + " " + secret + "\n");
    List<String> args =
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--master",
            masterUrl(),
            "--credentials",
            credentials.toString());
    ServerProcess relay = startGateway("s3", jvmOptions, args);
    List<String> local = new ArrayList<>(args);
    for (String v : localVolumes) {
      local.add("--local-volume");
      local.add(v);
    }
    ServerProcess reads = startGateway("s3-local", jvmOptions, local);
    return new Gateway(
        InetSocketAddress.createUnresolved("127.0.0.1", relay.port()),
        relay.pid(),
        access,
        secret,
        InetSocketAddress.createUnresolved("127.0.0.1", reads.port()));
  }

  private ServerProcess startGateway(String name, List<String> jvmOptions, List<String> args)
      throws IOException {
    ServerProcess gateway =
        ServerProcess.start(
            name,
            java(name, jvmOptions, "mkv.s3.S3Main", args),
            root.resolve(name + ".log"),
            STARTUP);
    gateways.add(gateway);
    processes.put(name, gateway.pid());
    return gateway;
  }

  String masterUrl() {
    return "http://127.0.0.1:" + master.port();
  }

  long masterPid() {
    return master.pid();
  }

  List<InetSocketAddress> volumes() {
    return List.copyOf(addresses);
  }

  /** The server processes by name, the volumes first, for CPU figures. */
  Map<String, Long> processes() {
    return new LinkedHashMap<>(processes);
  }

  /** Idempotent: also called from the Ctrl-C hook. */
  @Override
  public synchronized void close() {
    gateways.forEach(ServerProcess::close);
    gateways.clear();
    if (master != null) {
      master.close();
      master = null;
    }
    for (AutoCloseable v : volumes) {
      try {
        v.close();
      } catch (Exception e) {
        System.err.println("bench: stopping a volume: " + e);
      }
    }
    volumes.clear();
    deleteTree(root);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("bench: could not delete " + root + ": " + e);
    }
  }
}
