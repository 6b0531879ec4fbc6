package mkv.master;

import static mkv.testing.Http.call;
import static mkv.testing.Http.delete;
import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static mkv.testing.Http.volumeState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.testing.Http;
import mkv.testing.NginxVolume;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stock nginx with WebDAV and autoindex JSON serves as a volume (CI installs nginx). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxVolumeMasterTest {
  @Test
  void masterStoresServesListsAndDeletesOnNginxVolumes(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        NginxVolume.isInstalled(), "nginx is not installed (apt-get install nginx; .ci/run does)");
    List<NginxVolume> nginx = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nginx.add(NginxVolume.start(Files.createDirectories(tmp.resolve("nginx" + i))));
      }
      List<String> addresses = nginx.stream().map(NginxVolume::address).toList();
      MasterConfig config = MasterConfig.of(tmp.resolve("index"), addresses, 2, 3);
      try (MasterServer master = MasterServer.start(config)) {
        byte[] big = new byte[5 << 20];
        new Random(1).nextBytes(big);
        List<String> keys = List.of("/nginx/small", "/nginx/ключ", "/nginx/a?", "/nginx/big");
        for (String key : keys) {
          byte[] value = key.equals("/nginx/big") ? big : key.getBytes(StandardCharsets.UTF_8);
          assertEquals(201, put(master.baseUrl() + Http.encodePath(key), value).code(), key);
          assertArrayEquals(value, read(master.baseUrl() + Http.encodePath(key)), key);
          for (String replica : config.placement().replicasFor(key)) {
            Path file =
                tmp.resolve("nginx" + addresses.indexOf(Placement.server(replica)))
                    .resolve(Placement.subvolume(replica).substring(1) + KeyPath.of(key));
            assertTrue(Files.isRegularFile(file), "no file for " + key + " at " + file);
          }
        }
        assertTrue(get(master.baseUrl() + "/nginx/?list").text().contains("/nginx/big"));
        assertEquals(403, put(master.baseUrl() + "/nginx/small", "again").code());
        assertEquals(204, call("UNLINK", master.baseUrl() + "/nginx/small", null).code());
        assertEquals(204, delete(master.baseUrl() + "/nginx/small").code());
        assertEquals(404, get(master.baseUrl() + "/nginx/small").code());
        for (int i = 0; i < 3; i++) {
          Path gone = tmp.resolve("nginx" + i);
          try (var files = Files.walk(gone)) {
            assertFalse(
                files.anyMatch(f -> f.endsWith(KeyPath.of("/nginx/small").substring(7))),
                "copy left on nginx");
          }
        }
      }
    } finally {
      for (NginxVolume n : nginx) {
        n.close();
      }
    }
  }

  @Test
  void aKilledNginxVolumeIsNoticedWithoutWaitingForTheBackgroundCheck(@TempDir Path tmp)
      throws Exception {
    Assumptions.assumeTrue(
        NginxVolume.isInstalled(), "nginx is not installed (apt-get install nginx; .ci/run does)");
    List<NginxVolume> nginx = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        nginx.add(NginxVolume.start(Files.createDirectories(tmp.resolve("nginx" + i))));
      }
      List<String> addresses = nginx.stream().map(NginxVolume::address).toList();
      MasterConfig config =
          MasterConfig.builder(tmp.resolve("index"), addresses)
              .replicas(2)
              .subvolumes(1)
              .voltimeout(Duration.ofSeconds(2))
              .checkInterval(Duration.ofHours(1))
              .build();
      try (MasterServer master = MasterServer.start(config)) {
        for (String a : addresses) {
          assertTrue(
              eventually(
                  Duration.ofSeconds(10), () -> volumeState(master.baseUrl(), a).equals("up")));
        }
        nginx.get(0).kill();
        assertTrue(
            eventually(
                Duration.ofSeconds(2),
                () -> volumeState(master.baseUrl(), addresses.get(0)).equals("down")),
            "a killed nginx volume was not noticed without a background check");
        assertEquals("up", volumeState(master.baseUrl(), addresses.get(1)));
      }
    } finally {
      for (NginxVolume n : nginx) {
        n.close();
      }
    }
  }
}
