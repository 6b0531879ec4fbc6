package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mkv.master.MasterConfig;
import mkv.s3.auth.Credentials;
import mkv.testing.Http;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master run with {@code --protect} refuses to delete a live key ({@code Mkv-Error: protected}):
 * the gateway's DeleteObject then unlinks it, the soft delete such a master allows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtectedMasterTest {
  @Test
  void deleteObjectUnlinksOnAProtectedMaster(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 2)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .host("127.0.0.1")
              .replicas(2)
              .subvolumes(1)
              .protect(true)
              .build());
      try (S3Server gateway =
          S3Server.start(
              S3Config.local(
                      c.master().baseUrl(), Credentials.of(S3Fixture.ACCESS, S3Fixture.SECRET))
                  .build())) {
        TestSigner client = new TestSigner(gateway.baseUrl(), S3Fixture.ACCESS, S3Fixture.SECRET);
        assertEquals(200, client.call("PUT", "/kept", null).code());
        byte[] value = "protected".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, client.call("PUT", "/kept/k", value).code());
        Http.Reply deleted = client.call("DELETE", "/kept/k", null);
        assertEquals(204, deleted.code(), deleted.text());
        assertEquals(404, client.call("GET", "/kept/k", null).code());
        assertTrue(
            Http.get(c.master().baseUrl() + "/kept/?unlinked").text().contains("/kept/k"),
            "unlinked, its bytes kept");
      }
    }
  }
}
