package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mkv.testing.Http.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the master gone, the requests the gateway answers on its IO thread (GetObject, HeadObject, a
 * small PutObject) fail as promptly as the others: 503 ServiceUnavailable naming the master.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MasterDownTest {
  @TempDir Path tmp;

  @Test
  void everyRequestIsA503NamingTheMaster() throws IOException {
    try (S3Fixture s3 = S3Fixture.start(tmp)) {
      TestSigner client = s3.signer();
      byte[] value = "here while the master is".getBytes(StandardCharsets.UTF_8);
      assertEquals(200, client.call("PUT", "/down", null).code());
      assertEquals(200, client.call("PUT", "/down/key", value).code());
      String master = s3.cluster.master().baseUrl();
      s3.cluster.stopMaster();

      for (String[] call : new String[][] {{"GET", "/down/key"}, {"PUT", "/down/other"}}) {
        Reply r = client.call(call[0], call[1], call[0].equals("PUT") ? value : null);
        assertEquals(503, r.code(), call[0] + " " + r.text());
        assertTrue(r.text().contains("<Code>ServiceUnavailable</Code>"), r.text());
        assertTrue(r.text().contains(master), r.text());
      }
      assertEquals(503, client.call("HEAD", "/down/key", null).code());
    }
  }
}
