package mkv.master;

import static mkv.testing.Http.call;
import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mkv.http.ErrorCode;
import mkv.http.Protocol;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import mkv.testing.TestCluster;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure the master answers says why in {@code Mkv-Error}, with the status its code has: a
 * client maps the code, never the message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorCodeTest {
  @TempDir static Path tmp;
  static TestCluster cluster;

  @BeforeAll
  static void start() throws IOException {
    cluster = TestCluster.start(tmp, 3, 3, 1);
  }

  @AfterAll
  static void stop() throws IOException {
    cluster.close();
  }

  private static void assertCode(ErrorCode code, Reply r) {
    assertEquals(code.status(), r.code(), r.text());
    assertEquals(code.code(), r.header(Protocol.ERROR.toString()), r.text());
  }

  private static Reply putWith(String key, String value, String header, String headerValue)
      throws IOException {
    return Http.call(
        new Request.Builder()
            .url(cluster.url(key))
            .header(header, headerValue)
            .put(RequestBody.create(value.getBytes(StandardCharsets.UTF_8), Http.OCTETS))
            .build());
  }

  @Test
  void refusedWritesSayWhy() throws IOException {
    assertEquals(201, put(cluster.url("/codes/exists"), "v").code());
    assertCode(ErrorCode.KEY_EXISTS, put(cluster.url("/codes/exists"), "again"));
    assertCode(ErrorCode.NO_BODY, put(cluster.url("/codes/empty"), new byte[0]));
    assertCode(ErrorCode.RESERVED_KEY, put(cluster.url(Protocol.VOLUMES), "v"));
    assertCode(ErrorCode.RESERVED_KEY, put(cluster.url(Protocol.METRICS), "v"));
    assertCode(ErrorCode.TOO_LONG, put(cluster.url("/" + "k".repeat(300)), "v"));
    assertCode(ErrorCode.BAD_KEY, put(cluster.master().baseUrl() + "/codes/%ff%fe", "v"));
    assertCode(ErrorCode.BAD_META, putWith("/codes/meta", "v", "Mkv-Meta", "has space"));
    assertCode(ErrorCode.INVALID_DIGEST, putWith("/codes/md5", "v", "Content-MD5", "not-a-digest"));
    assertCode(
        ErrorCode.BAD_DIGEST,
        putWith("/codes/md5", "v", "Content-MD5", "00000000000000000000000000000000"));
    assertEquals(404, get(cluster.url("/codes/md5")).code(), "a bad digest stores nothing");
  }

  @Test
  void missingKeysAndBadRequestsSayWhy() throws IOException {
    Reply missing = get(cluster.url("/codes/never"));
    assertCode(ErrorCode.NOT_FOUND, missing);
    assertEquals(0, missing.body().length, "minikeyvalue's empty 404");
    assertCode(ErrorCode.NOT_FOUND, call("DELETE", cluster.url("/codes/never"), null));
    assertCode(ErrorCode.NOT_FOUND, call("UNLINK", cluster.url("/codes/never"), null));
    assertCode(ErrorCode.METHOD_NOT_ALLOWED, call("PATCH", cluster.url("/codes/x"), new byte[1]));
    assertCode(ErrorCode.BAD_PARAMETER, get(cluster.master().baseUrl() + "/?list&limit=0"));
    assertCode(ErrorCode.NOT_FOUND, get(cluster.volume(0).baseUrl() + "/no/such/file"));
  }

  @Test
  void aVolumeDownIsSaidOnWritesAndReadiness() throws IOException {
    assertEquals(201, put(cluster.url("/codes/before"), "v").code());
    cluster.kill(2);
    try {
      assertTrue(
          eventually(Duration.ofSeconds(20), () -> get(cluster.url(Protocol.READY)).code() == 503));
      assertCode(ErrorCode.NOT_READY, get(cluster.url(Protocol.READY)));
      assertCode(ErrorCode.VOLUME_DOWN, put(cluster.url("/codes/after"), "v"));
    } finally {
      cluster.revive(2);
      assertTrue(Http.allUp(cluster.master().baseUrl(), cluster.addresses()));
    }
  }
}
