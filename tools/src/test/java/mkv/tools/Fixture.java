package mkv.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.Http;
import mkv.testing.TestCluster;

/** Keys, values and checks shared by the tools' tests. */
public final class Fixture {
  private Fixture() {}

  /**
   * {@code n} keys, among them {@code /a?} (base64 {@code L2E/}, ending in '/') and keys whose
   * base64 has '/' inside (made of '?' and '>' characters), so volumes hold deeper paths.
   */
  public static List<String> keys(int n) {
    List<String> keys = new ArrayList<>(List.of("/a?", "/??>", "/deep/????/key"));
    Random random = new Random(42);
    String odd = "?>~";
    for (int i = keys.size(); i < n; i++) {
      StringBuilder k = new StringBuilder("/k").append(i).append('/');
      for (int j = 0, len = 3 + random.nextInt(6); j < len; j++) {
        k.append(odd.charAt(random.nextInt(odd.length())));
      }
      keys.add(k.toString());
    }
    long deep = keys.stream().filter(k -> KeyPath.of(k).substring(7).contains("/")).count();
    assertTrue(deep > n / 10, "enough keys whose base64 name contains '/': " + deep);
    return keys;
  }

  /** The value of a key: a deterministic length of 1..3000 bytes. */
  public static byte[] value(String key) {
    Random random = new Random(key.hashCode());
    byte[] v = new byte[1 + random.nextInt(3000)];
    random.nextBytes(v);
    return v;
  }

  /** Writes every key through the cluster's master, eight at a time. */
  public static void write(TestCluster cluster, List<String> keys) throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> codes = new ArrayList<>();
      for (String key : keys) {
        codes.add(writers.submit(() -> Http.put(cluster.url(key), value(key)).code()));
      }
      for (int i = 0; i < keys.size(); i++) {
        assertEquals(201, codes.get(i).get(), "PUT " + keys.get(i));
      }
    } finally {
      writers.shutdownNow();
    }
  }

  /** Whether any value file is on the volume's disk. */
  public static boolean holdsAny(Path volumeDir) throws IOException {
    try (Stream<Path> files = Files.walk(volumeDir)) {
      return files.anyMatch(
          f -> Files.isRegularFile(f) && !volumeDir.relativize(f).toString().startsWith("."));
    }
  }

  /** Reads every key through the cluster's master and checks its bytes. */
  public static void assertReadable(TestCluster cluster, List<String> keys) throws IOException {
    for (String key : keys) {
      assertArrayEquals(value(key), Http.read(cluster.url(key)), "GET " + key);
    }
  }

  /** Every record of a (closed) index, by key. */
  public static Map<String, Record> records(Path db) throws IOException {
    Map<String, Record> all = new TreeMap<>();
    try (Index index = Index.open(db);
        Index.Scan scan = index.scan("", null)) {
      scan.forEachRemaining(e -> all.put(e.key(), e.record()));
    }
    return all;
  }

  /** What the volumes' directories hold, read from disk: key to the replicas holding its file. */
  public static Map<String, Set<String>> onDisk(TestCluster cluster, int volumes)
      throws IOException {
    Map<String, Set<String>> all = new TreeMap<>();
    for (int i = 0; i < volumes; i++) {
      Path dir = cluster.volumeDir(i);
      String server = cluster.addresses().get(i);
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String rel = "/" + dir.relativize(f).toString();
          if (rel.startsWith("/.")) {
            continue; // the volume's temp dir
          }
          String sv = "";
          if (rel.startsWith("/sv")) {
            sv = rel.substring(0, 5);
            rel = rel.substring(5);
          }
          String key = KeyPath.keyOf(rel);
          assertTrue(key != null, "a file that is no key: " + f);
          all.computeIfAbsent(key, k -> new HashSet<>()).add(server + sv);
        }
      }
    }
    return all;
  }

  /** Every key's files are exactly on its placement replicas, nowhere else. */
  public static void assertPlaced(
      TestCluster cluster, int volumes, Placement placement, Set<String> keys) throws IOException {
    Map<String, Set<String>> disk = onDisk(cluster, volumes);
    assertEquals(keys, disk.keySet(), "keys on disk");
    for (var e : disk.entrySet()) {
      assertEquals(
          Set.copyOf(placement.replicasFor(e.getKey())), e.getValue(), "replicas of " + e.getKey());
    }
  }

  /** A key's bytes in UTF-8. */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
