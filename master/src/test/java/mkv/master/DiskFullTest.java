package mkv.master;

import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.Http.Reply;
import mkv.volume.VolumeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume whose disk is full: 507 naming it, no partial copy anywhere, the other volumes
 * unaffected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiskFullTest {
  @Test
  void fullVolumeIs507NamingItAndOthersKeepWorking(@TempDir Path tmp) throws Exception {
    try (Volumes volumes = Volumes.start(tmp)) {
      Path small = volumes.small;
      List<String> addresses = volumes.addresses();
      MasterConfig config =
          MasterConfig.builder(tmp.resolve("index"), addresses).replicas(2).subvolumes(1).build();
      Placement placement = config.placement();
      String full = addresses.get(0);
      List<String> onFull = keys(placement, full, true);
      List<String> elsewhere = keys(placement, full, false);
      byte[] big = new byte[2 << 20];
      try (MasterServer master = MasterServer.start(config)) {
        Reply refused = put(master.baseUrl() + onFull.get(0), big);
        assertEquals(507, refused.code(), refused.text());
        assertTrue(refused.text().contains(full), refused.text());
        assertTrue(
            mkv.testing.Http.eventually(
                java.time.Duration.ofSeconds(10),
                () ->
                    Stream.of(small, tmp.resolve("v1"), tmp.resolve("v2"))
                        .allMatch(
                            d -> !Files.exists(d.resolve(KeyPath.of(onFull.get(0)).substring(1))))),
            "a copy of the refused value was left");
        assertEquals(404, mkv.testing.Http.get(master.baseUrl() + onFull.get(0)).code());

        assertEquals(
            201,
            put(master.baseUrl() + elsewhere.get(0), big).code(),
            "volumes with space still take values");
        assertArrayEquals(big, read(master.baseUrl() + elsewhere.get(0)));
        assertEquals(
            201,
            put(master.baseUrl() + onFull.get(1), "small fits").code(),
            "the full volume takes what fits");
      }
    }
  }

  @Test
  void aFullOrReadOnlyVolumeServesReadsButTakesNoWrites(@TempDir Path tmp) throws Exception {
    try (Volumes volumes = Volumes.start(tmp)) {
      Path small = volumes.small;
      List<String> addresses = volumes.addresses();
      MasterConfig config =
          MasterConfig.builder(tmp.resolve("index"), addresses)
              .replicas(2)
              .subvolumes(1)
              .checkInterval(java.time.Duration.ofMillis(100))
              .build();
      String full = addresses.get(0);
      List<String> onFull = keys(config.placement(), full, true);
      try (MasterServer master = MasterServer.start(config)) {
        String url = master.baseUrl();
        assertEquals(201, put(url + onFull.get(0), "before").code());
        assertEquals(200, mkv.testing.Http.call("HEAD", "http://" + full + "/", null).code());

        fill(small.resolve("filler"));
        assertEquals(507, mkv.testing.Http.call("HEAD", "http://" + full + "/", null).code());
        assertTrue(
            mkv.testing.Http.eventually(
                java.time.Duration.ofSeconds(5),
                () -> mkv.testing.Http.volumeState(url, full).equals("full")));
        assertArrayEquals(
            "before".getBytes(), read(url + onFull.get(0)), "a full volume still serves reads");
        Reply refused = put(url + onFull.get(1), "after");
        assertEquals(503, refused.code(), refused.text());
        assertTrue(refused.text().contains(full + " (full)"), refused.text());
        assertEquals(
            200,
            mkv.testing.Http.get(url + "/_ready").code(),
            "2 of 3 volumes take writes: enough");

        Files.delete(small.resolve("filler"));
        assertTrue(run("mount", "-o", "remount,ro", small.toString()));
        assertEquals(
            503, mkv.testing.Http.call("HEAD", "http://" + full + "/", null).code(), "read-only");
        assertTrue(run("mount", "-o", "remount,rw", small.toString()));
        assertTrue(
            mkv.testing.Http.eventually(
                java.time.Duration.ofSeconds(5),
                () -> mkv.testing.Http.volumeState(url, full).equals("up")));
        assertEquals(201, put(url + onFull.get(1), "after").code());
      }
    }
  }

  /** Three volumes, the first on a 1 MiB tmpfs, unmounted on close. */
  private static final class Volumes implements AutoCloseable {
    final Path small;
    final List<VolumeServer> servers = new ArrayList<>();

    private Volumes(Path small) {
      this.small = small;
    }

    static Volumes start(Path tmp) throws IOException, InterruptedException {
      Volumes v = new Volumes(smallDisk(tmp));
      try {
        v.servers.add(VolumeServer.start(v.small, "127.0.0.1", 0));
        for (int i = 1; i < 3; i++) {
          v.servers.add(
              VolumeServer.start(Files.createDirectories(tmp.resolve("v" + i)), "127.0.0.1", 0));
        }
        return v;
      } catch (IOException | RuntimeException e) {
        v.close();
        throw e;
      }
    }

    List<String> addresses() {
      return servers.stream().map(VolumeServer::address).toList();
    }

    @Override
    public void close() throws IOException, InterruptedException {
      for (VolumeServer server : servers) {
        server.close();
      }
      run("umount", small.toString());
    }
  }

  /**
   * A 1 MiB tmpfs under {@code tmp} (the test is skipped where it cannot be mounted: it needs
   * root).
   */
  private static Path smallDisk(Path tmp) throws IOException, InterruptedException {
    Path small = Files.createDirectories(tmp.resolve("small"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString()),
        "cannot mount a 1 MiB tmpfs here (needs root): the full-disk case is covered only where it"
            + " can be made");
    return small;
  }

  /** Writes to {@code file} until the disk is full. */
  private static void fill(Path file) {
    byte[] chunk = new byte[4096];
    try (var out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException expected) {
      // no space left
    }
  }

  private static List<String> keys(Placement placement, String server, boolean on) {
    return Stream.iterate(0, i -> i + 1)
        .limit(10_000)
        .map(i -> "/full/" + i)
        .filter(
            k ->
                placement.replicasFor(k).stream().anyMatch(r -> Placement.server(r).equals(server))
                    == on)
        .limit(2)
        .toList();
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
