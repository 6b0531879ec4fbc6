package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.s3.auth.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual-hosted-style requests ({@code --domain s3.test}): {@code Host: BUCKET.s3.test} names the
 * bucket, the path the key, signed as sent; path-style still works beside it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualHostTest {
  @TempDir static Path tmp;
  static S3Fixture s3;
  static S3Server gateway;
  // every name is this machine: *.s3.test needs no DNS
  static final OkHttpClient HTTP =
      new OkHttpClient.Builder().dns(host -> List.of(InetAddress.getLoopbackAddress())).build();

  @BeforeAll
  static void start() throws IOException {
    s3 = S3Fixture.start(tmp);
    gateway =
        S3Server.start(
            S3Config.local(
                    s3.cluster.master().baseUrl(),
                    Credentials.of(S3Fixture.ACCESS, S3Fixture.SECRET))
                .domain("s3.test")
                .build());
  }

  @AfterAll
  static void stop() throws IOException {
    gateway.close();
    s3.close();
  }

  static TestSigner on(String host) {
    return new TestSigner(
        "http://" + host + ":" + gateway.port(), S3Fixture.ACCESS, S3Fixture.SECRET);
  }

  record Answer(int code, String text) {}

  static Answer call(Request r) throws IOException {
    try (Response response = HTTP.newCall(r).execute()) {
      return new Answer(response.code(), response.body().string());
    }
  }

  @Test
  void theHostNamesTheBucketAndThePathTheKey() throws IOException {
    TestSigner bucket = on("vhost.s3.test");
    assertEquals(200, call(bucket.request("PUT", "/", null)).code());
    assertEquals(200, call(bucket.request("HEAD", "/", null)).code());
    byte[] value = "virtually hosted".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, call(bucket.request("PUT", "/dir/a%20key", value)).code());

    Answer got = call(bucket.request("GET", "/dir/a%20key", null));
    assertEquals(200, got.code(), got.text());
    assertEquals("virtually hosted", got.text());
    // the same object, path-style, on the same gateway and on one without --domain
    assertEquals(
        "virtually hosted", call(on("s3.test").request("GET", "/vhost/dir/a%20key", null)).text());
    assertArrayEquals(value, s3.signer().call("GET", "/vhost/dir/a%20key", null).body());

    Answer list = call(bucket.request("GET", "/?list-type=2&prefix=dir/", null));
    assertTrue(list.text().contains("<Key>dir/a key</Key>"), list.text());
    assertTrue(list.text().contains("<Name>vhost</Name>"), list.text());
    Answer presigned =
        call(new Request.Builder().url(bucket.presign("GET", "/dir/a%20key", 60)).build());
    assertEquals("virtually hosted", presigned.text());
    Answer missing = call(bucket.request("GET", "/dir/none", null));
    assertEquals(404, missing.code());
    assertTrue(missing.text().contains("<Code>NoSuchKey</Code>"), missing.text());
  }

  @Test
  void onlyNamesUnderTheDomainAreBuckets() {
    assertEquals("b", S3Request.virtualBucket("b.s3.test:8333", "s3.test"));
    assertEquals("my.bucket", S3Request.virtualBucket("My.Bucket.S3.test", "s3.test"));
    assertNull(S3Request.virtualBucket("s3.test:8333", "s3.test"), "the domain itself");
    assertNull(S3Request.virtualBucket("b.other.test", "s3.test"));
    assertNull(S3Request.virtualBucket("b.s3.test", null), "no --domain: path-style only");
    assertNull(S3Request.virtualBucket("[::1]:8333", "s3.test"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            S3Config.local("http://127.0.0.1:1", Credentials.of("a", "b"))
                .domain("S3 test")
                .build());
  }
}
