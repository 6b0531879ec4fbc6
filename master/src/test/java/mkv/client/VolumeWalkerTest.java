package mkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import mkv.layout.KeyPath;
import mkv.testing.TestCluster;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The walk of a volume through its JSON listing finds exactly the key files, however deep. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VolumeWalkerTest {
  private static final MediaType OCTETS = MediaType.get("application/octet-stream");
  private final VolumeClient client =
      new VolumeClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @Test
  void findsKeysInSubvolumesRootFoldersAndDeepNames(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 1)) {
      String server = c.addresses().get(0);
      // "/a?" encodes to "L2E/" (a trailing '/': stored as .../L2E/_); "/??>" has '/' inside its
      // base64
      List<String> keys = List.of("/a?", "/??>", "/plain", "/deep/????/key", "/x");
      Set<String> expected = new TreeSet<>();
      int i = 0;
      for (String key : keys) {
        String sv = i++ % 2 == 0 ? "/sv0A" : "";
        byte[] value = key.getBytes(StandardCharsets.UTF_8);
        client.put(server + sv, KeyPath.of(key), RequestBody.create(value, OCTETS));
        expected.add(server + sv + " " + key + " " + value.length);
      }
      assertTrue(
          KeyPath.of("/??>").substring(7).contains("/"), "a key whose base64 has a '/' inside");
      client.put(server + "/sv01", "/ab/cd/not-base64!", RequestBody.create(new byte[1], OCTETS));

      VolumeWalker walker = new VolumeWalker(client);
      Set<String> found = new TreeSet<>();
      List<String> strays = new ArrayList<>();
      for (VolumeWalker.Shard shard : walker.shards(server)) {
        walker.walk(
            shard,
            new VolumeWalker.Sink() {
              @Override
              public void key(String replica, String key, AutoindexEntry file) {
                found.add(replica + " " + key + " " + file.bytes());
              }

              @Override
              public void stray(String url) {
                strays.add(url);
              }
            });
      }
      assertEquals(expected, found);
      assertEquals(List.of("http://" + server + "/sv01/ab/cd/not-base64!"), strays);
    }
  }

  @Test
  void unreachableServerIsAVolumeException(@TempDir Path tmp) throws Exception {
    String server;
    try (TestCluster c = TestCluster.volumes(tmp, 1)) {
      server = c.addresses().get(0);
    }
    String down = server;
    VolumeException e =
        assertThrows(VolumeException.class, () -> new VolumeWalker(client).shards(down));
    assertEquals(down, e.volume());
  }
}
