package mkv.s3;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Volumes whose files this gateway can read itself ({@code --local-volume HOST:PORT=DIR}): a
 * gateway on a volume's machine sends that volume's copies straight from disk with sendfile(2)
 * instead of relaying them over a second HTTP hop, as HDFS's short-circuit reads do. Which file
 * holds a key comes from the master's record (the replica, with its subvolume or overwrite staging
 * folder), never from a guess, so a local read serves exactly what a relayed one would.
 *
 * <p>A directory is used only once it is proven to be that volume's root: a probe file written
 * there must come back through the volume's HTTP GET. One that comes back different, or not at all,
 * is a misconfiguration and refused; a volume that does not answer yet is probed again later.
 */
final class LocalVolumes {
  private static final Logger LOG = Logger.getLogger(LocalVolumes.class.getName());

  /** The outcome of one probe. */
  enum Proof {
    PROVEN,
    UNREACHABLE,
    WRONG
  }

  private final Map<String, Path> dirs;
  private final Set<String> proven = ConcurrentHashMap.newKeySet();
  private final Set<String> refused = ConcurrentHashMap.newKeySet(); // probed, and found wrong
  private final Counter local;
  private final Counter relayed;

  /**
   * @param specs {@code HOST:PORT=DIR} each
   * @throws IllegalArgumentException a malformed spec, a server given twice, a DIR that is not a
   *     directory
   */
  LocalVolumes(List<String> specs, MeterRegistry registry) {
    Map<String, Path> parsed = new LinkedHashMap<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1 || !spec.substring(0, eq).matches("[^/=]+:\\d+")) {
        throw new IllegalArgumentException(
            "--local-volume must be HOST:PORT=DIR (the volume's address as the master names it),"
                + " got "
                + spec);
      }
      Path dir = Path.of(spec.substring(eq + 1)).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--local-volume " + spec + ": no such directory");
      }
      if (parsed.put(spec.substring(0, eq), dir) != null) {
        throw new IllegalArgumentException(
            "--local-volume names " + spec.substring(0, eq) + " twice");
      }
    }
    this.dirs = Map.copyOf(parsed);
    this.local =
        Counter.builder("s3_get_bodies")
            .tag("source", "local")
            .description("GetObject bodies sent, by source: a local volume's file, or relayed")
            .register(registry);
    this.relayed =
        Counter.builder("s3_get_bodies")
            .tag("source", "relayed")
            .description("GetObject bodies sent, by source: a local volume's file, or relayed")
            .register(registry);
  }

  /** Whether every directory has been probed to an answer: proven, or refused. */
  boolean settled() {
    return proven.size() + refused.size() == dirs.size();
  }

  /**
   * Probes each directory not settled yet; one whose volume serves something else is refused for
   * good (it is relayed), and named in the answer.
   *
   * @return the refusals of this round, one line each
   */
  List<String> proveAll(OkHttpClient http) {
    List<String> wrong = new ArrayList<>();
    for (var e : dirs.entrySet()) {
      if (proven.contains(e.getKey()) || refused.contains(e.getKey())) {
        continue;
      }
      switch (prove(http, e.getKey(), e.getValue())) {
        case PROVEN -> {
          proven.add(e.getKey());
          LOG.info("local reads from " + e.getValue() + " for volume " + e.getKey());
        }
        case UNREACHABLE ->
            LOG.warning(
                "volume "
                    + e.getKey()
                    + " did not answer the probe of "
                    + e.getValue()
                    + "; its values are relayed until it does");
        case WRONG -> {
          refused.add(e.getKey());
          wrong.add(
              "--local-volume "
                  + e.getKey()
                  + "="
                  + e.getValue()
                  + ": that volume does not serve the files of this directory");
        }
      }
    }
    return wrong;
  }

  /** Writes a probe file in {@code dir} and reads it back from {@code server}. */
  static Proof prove(OkHttpClient http, String server, Path dir) {
    String name = "_mkv-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    String token = name + " " + System.nanoTime();
    Path probe = dir.resolve(name);
    try {
      Files.writeString(probe, token, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--local-volume " + server + "=" + dir + ": cannot write a probe file there: " + e);
    }
    try (Response r =
        http.newCall(new Request.Builder().url("http://" + server + "/" + name).get().build())
            .execute()) {
      if (r.code() >= 500) {
        return Proof.UNREACHABLE;
      }
      return r.code() == 200 && r.body().string().equals(token) ? Proof.PROVEN : Proof.WRONG;
    } catch (IOException e) {
      return Proof.UNREACHABLE;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        LOG.warning("could not delete the probe " + probe + ": " + e);
      }
    }
  }

  /**
   * The copy of {@code storeKey} on a local, proven replica among {@code replicas}, opened, when it
   * is exactly {@code size} bytes; else null, and the caller relays it from a volume. {@code
   * preferred} (the master's pick, a URL) wins among several local replicas.
   */
  FileChannel open(String storeKey, List<String> replicas, String preferred, long size) {
    if (dirs.isEmpty() || size < 0) {
      return null;
    }
    String path = KeyPath.of(storeKey);
    FileChannel chosen = null;
    for (String replica : replicas) {
      String server = Placement.server(replica);
      Path dir = dirs.get(server);
      if (dir == null || !proven.contains(server)) {
        continue;
      }
      FileChannel file = openExactly(dir, Placement.subvolume(replica) + path, size);
      if (file == null) {
        continue;
      }
      if (chosen == null
          || preferred != null && preferred.equals(VolumeClient.url(replica, path))) {
        closeQuietly(chosen);
        chosen = file;
      } else {
        closeQuietly(file);
      }
    }
    return chosen;
  }

  private static FileChannel openExactly(Path dir, String relative, long size) {
    FileChannel file = null;
    try {
      file = FileChannel.open(dir.resolve(relative.substring(1)), StandardOpenOption.READ);
      // the size of the file we opened: a rename over the path meanwhile cannot change it
      if (file.size() == size) {
        return file;
      }
      LOG.fine(() -> dir + relative + " is not " + size + " bytes: relayed instead");
    } catch (NoSuchFileException e) {
      // not here (a copy the record still names but the volume lost): relayed, which fails over
    } catch (IOException e) {
      LOG.warning("reading " + dir + relative + " locally: " + e + "; relayed instead");
    }
    closeQuietly(file);
    return null;
  }

  /** Counts a body sent one way or the other. */
  void counted(boolean fromDisk) {
    (fromDisk ? local : relayed).increment();
  }

  private static void closeQuietly(FileChannel file) {
    if (file != null) {
      try {
        file.close();
      } catch (IOException ignored) {
        // read-only: nothing to lose
      }
    }
  }

  @Override
  public String toString() {
    return dirs.isEmpty() ? "no local volumes" : "local volumes " + dirs;
  }
}
