package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mkv.master.MasterConfig;
import mkv.master.MasterServer;
import mkv.s3.auth.Credentials;
import mkv.testing.FakeServer;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import mkv.volume.VolumeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume that answers GETs with a malformed head (a bad Content-Length): the gateway's GetObject
 * fails over to the other replica instead of failing the request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MalformedVolumeTest {
  @Test
  void getObjectFailsOverFromAVolumeWithABadContentLength(@TempDir Path tmp) throws Exception {
    AtomicInteger badGets = new AtomicInteger();
    // stores nothing: takes writes and deletes, answers its health check, and every GET badly
    FakeServer.Answer liar =
        request -> {
          if (request.startsWith("GET ")) {
            badGets.incrementAndGet();
            return "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\nnot the value";
          }
          String status = request.startsWith("PUT ") ? "201 Created" : "200 OK";
          return "HTTP/1.1 " + status + "\r\nContent-Length: 0\r\n\r\n";
        };
    try (VolumeServer good = VolumeServer.start(tmp.resolve("good"), "127.0.0.1", 0);
        FakeServer bad = new FakeServer(liar);
        MasterServer master =
            MasterServer.start(
                MasterConfig.builder(tmp.resolve("index"), List.of(good.address(), bad.address()))
                    .host("127.0.0.1")
                    .replicas(2)
                    .subvolumes(1)
                    .build());
        S3Server gateway =
            S3Server.start(
                S3Config.local(master.baseUrl(), Credentials.of(S3Fixture.ACCESS, S3Fixture.SECRET))
                    .build())) {
      assertTrue(Http.allUp(master.baseUrl(), List.of(good.address(), bad.address())));
      TestSigner client = new TestSigner(gateway.baseUrl(), S3Fixture.ACCESS, S3Fixture.SECRET);
      assertEquals(200, client.call("PUT", "/bkt", null).code());
      byte[] value = "on both replicas, readable from one".getBytes(StandardCharsets.UTF_8);
      Reply put = client.call("PUT", "/bkt/k", value);
      assertEquals(200, put.code(), put.text());
      // the master redirects to either replica at random: the liar is chosen first about half the
      // time, and then passed over
      for (int i = 0; i < 20; i++) {
        Reply r = client.call("GET", "/bkt/k", null);
        assertEquals(200, r.code(), r.text());
        assertArrayEquals(value, r.body());
      }
      assertTrue(badGets.get() > 0, "the malformed volume was never asked");
    }
  }
}
