package mkv.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mkv.master.MasterConfig;
import mkv.master.MasterServer;
import mkv.volume.VolumeServer;

/**
 * A real cluster in this JVM for tests: volume servers and a master on 127.0.0.1, port 0, with
 * their data under a test's temp dir. Shared with the tools' tests through master's test-jar.
 */
public final class TestCluster implements AutoCloseable {
  private final Path root;
  private final List<VolumeServer> volumes = new ArrayList<>();
  private final List<Path> volumeDirs = new ArrayList<>();
  private MasterConfig config;
  private MasterServer master;

  private TestCluster(Path root) {
    this.root = root;
  }

  /** Volumes only; start the master with {@link #startMaster}. */
  public static TestCluster volumes(Path root, int count) throws IOException {
    TestCluster c = new TestCluster(root);
    try {
      for (int i = 0; i < count; i++) {
        Path dir = Files.createDirectories(root.resolve("volume" + i));
        c.volumeDirs.add(dir);
        c.volumes.add(VolumeServer.start(dir, "127.0.0.1", 0));
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Volumes and a master with minikeyvalue's defaults for everything else. */
  public static TestCluster start(Path root, int volumes, int replicas, int subvolumes)
      throws IOException {
    TestCluster c = volumes(root, volumes);
    try {
      c.startMaster(MasterConfig.of(root.resolve("index"), c.addresses(), replicas, subvolumes));
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private final java.util.Set<Integer> killed = new java.util.HashSet<>();

  /**
   * Starts the master and waits (up to 30 s) until it sees every volume up: on a loaded machine a
   * cold volume may miss its first checks, and a test would then meet 503s it did not ask for.
   */
  public MasterServer startMaster(MasterConfig config) throws IOException {
    this.config = config;
    this.master = MasterServer.start(config);
    List<String> live = new ArrayList<>();
    for (int i = 0; i < volumes.size(); i++) {
      if (!killed.contains(i) && config.volumes().contains(volumes.get(i).address())) {
        live.add(volumes.get(i).address());
      }
    }
    if (!Http.allUp(master.baseUrl(), live)) {
      throw new IllegalStateException("the volumes are not all up after 30 s: " + live);
    }
    return master;
  }

  public void stopMaster() throws IOException {
    if (master != null) {
      master.close();
      master = null;
    }
  }

  public MasterServer master() {
    return master;
  }

  public MasterConfig config() {
    return config;
  }

  /** {@code host:port} of every volume, in start order. */
  public List<String> addresses() {
    return volumes.stream().map(VolumeServer::address).toList();
  }

  public VolumeServer volume(int i) {
    return volumes.get(i);
  }

  public Path volumeDir(int i) {
    return volumeDirs.get(i);
  }

  /** The data dir of the volume server at {@code host:port}. */
  public Path dirOf(String server) {
    return volumeDirs.get(addresses().indexOf(server));
  }

  /** Stops a volume, as if its process died; its files stay. */
  public void kill(int i) {
    volumes.get(i).close();
    killed.add(i);
  }

  /** Restarts a killed volume on the same port and data. */
  public void revive(int i) throws IOException {
    volumes.set(i, VolumeServer.start(volumeDirs.get(i), "127.0.0.1", volumes.get(i).port()));
    killed.remove(i);
  }

  /** The master's URL of {@code key}, percent-encoded. */
  public String url(String key) {
    return master.baseUrl() + Http.encodePath(key);
  }

  public Path root() {
    return root;
  }

  @Override
  public void close() throws IOException {
    stopMaster();
    for (VolumeServer v : volumes) {
      v.close();
    }
  }
}
