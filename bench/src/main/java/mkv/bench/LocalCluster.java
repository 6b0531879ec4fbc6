package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import mkv.cli.ServerProcess;
import mkv.index.Index;
import mkv.layout.Placement;

/**
 * {@code --cluster}: a master and volume servers as child JVMs on 127.0.0.1 with their data in a
 * temp dir, which {@link #close} deletes after stopping them. Child processes (not threads of this
 * JVM) so that the load generator does not share a heap or GC with the servers, and so the master's
 * RSS is its own.
 */
final class LocalCluster implements AutoCloseable {
  private final Path root;
  private static final java.time.Duration STARTUP = java.time.Duration.ofSeconds(60);

  private final List<ServerProcess> volumes = new ArrayList<>();
  private ServerProcess master;

  private LocalCluster(Path root) {
    this.root = root;
  }

  /**
   * Starts {@code volumeCount} volumes, then a master over them.
   *
   * @param jvmOptions extra flags for every child JVM; {@code {name}} becomes master, volume0, ...
   * @param seed       given the index before the master opens it (null for none)
   */
  static LocalCluster start(int volumeCount, int replicas, int subvolumes, List<String> jvmOptions,
      BiConsumer<Index, Placement> seed) throws IOException {
    LocalCluster c = new LocalCluster(Files.createTempDirectory("mkv-bench-cluster-"));
    try {
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < volumeCount; i++) {
        String name = "volume" + i;
        Path dir = Files.createDirectories(c.root.resolve(name));
        ServerProcess v = ServerProcess.start(name, c.java(name, jvmOptions, "mkv.volume.VolumeMain",
            List.of("--host", "127.0.0.1", "--port", "0", "--dir", dir.toString())), c.root.resolve(name + ".log"),
            STARTUP);
        c.volumes.add(v);
        addresses.add("127.0.0.1:" + v.port());
      }
      if (seed != null) {
        try (Index index = Index.open(c.root.resolve("index"))) {
          seed.accept(index, new Placement(addresses, replicas, subvolumes));
        }
      }
      c.master = ServerProcess.start("master", c.java("master", jvmOptions, "mkv.master.MasterMain",
          List.of("--host", "127.0.0.1", "--port", "0", "--db", c.root.resolve("index").toString(),
              "--volumes", String.join(",", addresses), "--replicas", Integer.toString(replicas),
              "--subvolumes", Integer.toString(subvolumes))), c.root.resolve("master.log"), STARTUP);
    } catch (Throwable e) {
      c.close(); // whatever failed (even a missing class), no child may outlive us
      throw e;
    }
    return c;
  }

  /** This JVM's java and class path (the bench fat jar holds master and volume too); {@code {name}} in a flag becomes the child's name. */
  private List<String> java(String name, List<String> jvmOptions, String main, List<String> args) {
    List<String> flags = jvmOptions.stream().map(o -> o.replace("{name}", name)).toList();
    return ServerProcess.java(flags, System.getProperty("java.class.path"), main, args);
  }

  String masterUrl() {
    return "http://127.0.0.1:" + master.port();
  }

  long masterPid() {
    return master.pid();
  }

  List<InetSocketAddress> volumes() {
    return volumes.stream().map(v -> InetSocketAddress.createUnresolved("127.0.0.1", v.port())).toList();
  }

  /** Idempotent: also called from the Ctrl-C hook. */
  @Override
  public synchronized void close() {
    if (master != null) {
      master.close();
      master = null;
    }
    for (ServerProcess v : volumes) {
      v.close();
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
