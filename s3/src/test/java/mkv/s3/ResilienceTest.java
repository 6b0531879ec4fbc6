package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.s3.auth.SigV4;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway does when things go wrong or are left behind: replicas that lack a copy or are
 * down, signed aws-chunked bodies (and one altered in flight), abandoned uploads, and what verify
 * makes of the gateway's keys.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResilienceTest {
  @TempDir static Path tmp;
  static S3Fixture s3;
  static TestSigner client;

  @BeforeAll
  static void start() throws IOException {
    s3 = S3Fixture.start(tmp, Duration.ofSeconds(2));
    client = s3.signer();
    assertEquals(200, client.call("PUT", "/res", null).code());
  }

  @AfterAll
  static void stop() throws IOException {
    s3.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void getFailsOverWhenTheReplicaTheMasterChoseLacksTheCopy() throws IOException {
    byte[] value = bytes("two replicas, one of them emptied behind the master's back");
    assertEquals(200, client.call("PUT", "/res/failover", value).code());
    List<String> replicas =
        List.of(Http.get(s3.cluster.url("/res/failover")).header("Key-Volumes").split(","));
    String gone = replicas.get(0);
    Path file =
        s3.cluster
            .dirOf(Placement.server(gone))
            .resolve((Placement.subvolume(gone) + KeyPath.of("/res/failover")).substring(1));
    Files.delete(file);
    for (int i = 0; i < 20; i++) { // the master picks a replica at random: both get picked
      Reply r = client.call("GET", "/res/failover", null);
      assertEquals(200, r.code(), r.text());
      assertArrayEquals(value, r.body());
    }
  }

  @Test
  void getSurvivesAVolumeDown() throws IOException {
    byte[] value = bytes("still readable");
    assertEquals(200, client.call("PUT", "/res/down", value).code());
    String replica = Http.get(s3.cluster.url("/res/down")).header("Key-Volumes").split(",")[0];
    int i = s3.cluster.addresses().indexOf(Placement.server(replica));
    s3.cluster.kill(i);
    try {
      for (int n = 0; n < 10; n++) {
        Reply r = client.call("GET", "/res/down", null);
        assertEquals(200, r.code(), r.text());
        assertArrayEquals(value, r.body());
      }
    } finally {
      s3.cluster.revive(i);
    }
  }

  /** A signed aws-chunked PUT, as the Java and Go SDKs send: chunks of 64 KiB, each signed. */
  static Request chunkedPut(String path, byte[] value, int corruptAt) {
    String date =
        java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(java.time.ZoneOffset.UTC)
            .format(java.time.Instant.now());
    String scope = date.substring(0, 8) + "/us-east-1/s3/aws4_request";
    String host = s3.endpoint().substring("http://".length());
    byte[] key = SigV4.signingKey(S3Fixture.SECRET, date.substring(0, 8), "us-east-1", "s3");
    int chunk = 64 * 1024;
    long encoded = 0;
    for (int off = 0; ; off += chunk) {
      int n = Math.max(0, Math.min(chunk, value.length - off));
      encoded += Integer.toHexString(n).length() + ";chunk-signature=".length() + 64 + 2 + n + 2;
      if (n == 0) {
        break;
      }
    }
    java.util.Map<String, List<String>> headers = new java.util.TreeMap<>();
    headers.put("content-encoding", List.of("aws-chunked"));
    headers.put("content-length", List.of(Long.toString(encoded)));
    headers.put("host", List.of(host));
    headers.put("x-amz-content-sha256", List.of(SigV4.STREAMING));
    headers.put("x-amz-date", List.of(date));
    headers.put("x-amz-decoded-content-length", List.of(Integer.toString(value.length)));
    List<String> names = List.copyOf(headers.keySet());
    String seed =
        SigV4.hmacHex(
            key,
            SigV4.stringToSign(
                date,
                scope,
                SigV4.canonicalRequest("PUT", path, "", headers, names, SigV4.STREAMING)));
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    String previous = seed;
    for (int off = 0; ; off += chunk) {
      int n = Math.max(0, Math.min(chunk, value.length - off));
      byte[] data =
          java.util.Arrays.copyOfRange(
              value, Math.min(off, value.length), Math.min(off, value.length) + n);
      String sig =
          SigV4.chunkSignature(key, date, scope, previous, SigV4.hex(SigV4.sha256().digest(data)));
      previous = sig;
      if (corruptAt >= off && corruptAt < off + n) {
        data[corruptAt - off] ^= 1;
      }
      body.writeBytes(
          (Integer.toHexString(n) + ";chunk-signature=" + sig + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      body.writeBytes(data);
      body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      if (n == 0) {
        break;
      }
    }
    assertEquals(encoded, body.size());
    Request.Builder b =
        new Request.Builder()
            .url(s3.endpoint() + path)
            .put(RequestBody.create(body.toByteArray(), (okhttp3.MediaType) null));
    headers.forEach(
        (k, v) -> {
          if (!k.equals("host") && !k.equals("content-length")) {
            b.header(k, v.get(0));
          }
        });
    return b.header(
            "Authorization",
            SigV4.ALGORITHM
                + " Credential="
                + S3Fixture.ACCESS
                + "/"
                + scope
                + ",SignedHeaders="
                + String.join(";", names)
                + ",Signature="
                + seed)
        .build();
  }

  @Test
  void signedChunkedUploadIsStoredAndAnAlteredChunkIsNot() throws IOException {
    byte[] value = new byte[200_000];
    new java.util.Random(3).nextBytes(value);
    Reply ok = Http.call(chunkedPut("/res/chunked", value, -1));
    assertEquals(200, ok.code(), ok.text());
    assertArrayEquals(value, client.call("GET", "/res/chunked", null).body());
    Reply bad = Http.call(chunkedPut("/res/chunked-bad", value, 150_000));
    assertEquals(403, bad.code(), bad.text());
    assertTrue(bad.text().contains("SignatureDoesNotMatch"), bad.text());
    assertEquals(404, client.call("HEAD", "/res/chunked-bad", null).code());
    Reply lastChunk = Http.call(chunkedPut("/res/chunked-bad", value, value.length - 1));
    assertEquals(403, lastChunk.code(), lastChunk.text());
    assertEquals(
        404,
        client.call("HEAD", "/res/chunked-bad", null).code(),
        "the last byte is never sent on");
  }

  @Test
  void abandonedUploadIsDeletedAfterTheGrace() throws IOException {
    String init = client.call("POST", "/res/left?uploads", null).text();
    String id = init.replaceAll("(?s).*<UploadId>(.*)</UploadId>.*", "$1");
    assertEquals(
        200, client.call("PUT", "/res/left?partNumber=1&uploadId=" + id, bytes("part")).code());
    assertTrue(
        Http.eventually(
            Duration.ofSeconds(30),
            () ->
                Http.get(s3.cluster.url("/_s3/") + "?list")
                    .text()
                    .equals("{\"next\":\"\",\"keys\":[" + "\"/_s3/buckets/res\"]}")),
        "abandoned upload still there");
    assertEquals(404, client.call("GET", "/res/left?uploadId=" + id, null).code());
  }

  @Test
  void verifyFindsNothingWrongWithTheGatewaysKeys() throws IOException {
    String init = client.call("POST", "/res/parts?uploads", null).text();
    String id = init.replaceAll("(?s).*<UploadId>(.*)</UploadId>.*", "$1");
    client.call("PUT", "/res/parts?partNumber=1&uploadId=" + id, bytes("a part in progress"));
    client.call("PUT", "/res/verified", bytes("v1"));
    client.call("PUT", "/res/verified", bytes("v2, an overwrite"));
    // parts and staged overwrites are ordinary records; failed writes of other tests settle within
    // seconds
    assertTrue(
        Http.eventually(
            Duration.ofSeconds(20),
            () -> {
              Reply again =
                  Http.call(
                      new Request.Builder()
                          .url(s3.cluster.master().baseUrl() + "/_verify?grace=0s")
                          .post(RequestBody.create(new byte[0], null))
                          .build());
              return again.text().strip().endsWith("clean");
            }),
        "verify did not come out clean");
  }
}
