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
  private final List<ChildProcess> volumes = new ArrayList<>();
  private ChildProcess master;

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
        ChildProcess v = ChildProcess.start(name, c.java(name, jvmOptions, "mkv.volume.VolumeMain",
            List.of("--host", "127.0.0.1", "--port", "0", "--dir", dir.toString())), c.root.resolve(name + ".log"));
        c.volumes.add(v);
        addresses.add("127.0.0.1:" + v.port());
      }
      if (seed != null) {
        try (Index index = Index.open(c.root.resolve("index"))) {
          seed.accept(index, new Placement(addresses, replicas, subvolumes));
        }
      }
      c.master = ChildProcess.start("master", c.java("master", jvmOptions, "mkv.master.MasterMain",
          List.of("--host", "127.0.0.1", "--port", "0", "--db", c.root.resolve("index").toString(),
              "--volumes", String.join(",", addresses), "--replicas", Integer.toString(replicas),
              "--subvolumes", Integer.toString(subvolumes))), c.root.resolve("master.log"));
    } catch (Throwable e) {
      c.close(); // whatever failed (even a missing class), no child may outlive us
      throw e;
    }
    return c;
  }

  /** This JVM's java and class path: the bench fat jar holds master and volume too. */
  private List<String> java(String name, List<String> jvmOptions, String main, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String o : jvmOptions) {
      cmd.add(o.replace("{name}", name));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(args);
    return cmd;
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
    for (ChildProcess v : volumes) {
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
