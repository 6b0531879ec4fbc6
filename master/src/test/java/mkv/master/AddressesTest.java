package mkv.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.testing.ChildJvm;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import mkv.testing.ServerProcess;
import mkv.volume.VolumeMain;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing assumes one host: the master and three volumes, each a JVM of its own on an address of
 * its own (127.0.0.2 to 127.0.0.5, all loopback, so no network set-up is needed), store, serve,
 * redirect and delete as on separate machines.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AddressesTest {
  @Test
  void aMasterAndVolumesOnAddressesOfTheirOwn(@TempDir Path tmp) throws Exception {
    assumeTrue(canBind("127.0.0.5"), "this machine cannot bind 127.0.0.2-127.0.0.5");
    List<ServerProcess> servers = new ArrayList<>();
    try {
      List<String> volumes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String host = "127.0.0." + (2 + i);
        ServerProcess v =
            ChildJvm.start(
                tmp.resolve("volume" + i + ".log"),
                List.of("-Xmx128m"),
                VolumeMain.class.getName(),
                List.of(
                    "--host",
                    host,
                    "--port",
                    "0",
                    "--dir",
                    Files.createDirectories(tmp.resolve("volume" + i)).toString()));
        servers.add(v);
        volumes.add(host + ":" + v.port());
      }
      ServerProcess master =
          ChildJvm.start(
              tmp.resolve("master.log"),
              List.of("-Xmx128m"),
              MasterMain.class.getName(),
              List.of(
                  "--host",
                  "127.0.0.5",
                  "--port",
                  "0",
                  "--db",
                  tmp.resolve("index").toString(),
                  "--volumes",
                  String.join(",", volumes),
                  "--replicas",
                  "3",
                  "--subvolumes",
                  "2"));
      servers.add(master);
      String url = "http://127.0.0.5:" + master.port();

      assertTrue(
          Http.eventually(
              java.time.Duration.ofSeconds(10), () -> Http.get(url + "/_ready").code() == 200),
          "the master never saw its volumes");
      byte[] value = "from another host".getBytes(StandardCharsets.UTF_8);
      assertEquals(201, Http.put(url + "/far/key", value).code());
      Reply redirect = Http.get(url + "/far/key");
      assertEquals(302, redirect.code());
      String location = redirect.header("Location");
      assertTrue(
          volumes.stream().anyMatch(v -> location.startsWith("http://" + v + "/")), location);
      assertArrayEquals(value, Http.read(url + "/far/key"));
      assertEquals(3, redirect.header("Key-Volumes").split(",").length);
      assertEquals(204, Http.delete(url + "/far/key").code());
      assertEquals(404, Http.get(url + "/far/key").code());
    } finally {
      servers.forEach(ServerProcess::close);
    }
  }

  private static boolean canBind(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
