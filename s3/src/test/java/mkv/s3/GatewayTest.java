package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import mkv.http.Protocol;
import mkv.layout.KeyPath;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's S3 contract, from a Java client that signs its own requests, against a real
 * cluster.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayTest {
  @TempDir static Path tmp;
  static S3Fixture s3;
  static TestSigner client;

  @BeforeAll
  static void start() throws IOException {
    s3 = S3Fixture.start(tmp);
    client = s3.signer();
    assertEquals(200, client.call("PUT", "/gwb", null).code());
  }

  @AfterAll
  static void stop() throws IOException {
    s3.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String md5(byte[] b) {
    return HexFormat.of().formatHex(KeyPath.md5(b));
  }

  @Test
  void unsignedRequestIsAccessDenied() throws IOException {
    Reply r = Http.get(s3.endpoint() + "/gwb/x");
    assertEquals(403, r.code());
    assertTrue(r.text().contains("<Code>AccessDenied</Code>"), r.text());
  }

  @Test
  void wrongSecretIsSignatureDoesNotMatch() throws IOException {
    Reply r = client.withSecret("wrong").call("GET", "/gwb/x", null);
    assertEquals(403, r.code());
    assertTrue(r.text().contains("<Code>SignatureDoesNotMatch</Code>"), r.text());
  }

  @Test
  void metricsAreAnUnsignedGetAndABucketNamedMetricsIsStillABucket() throws IOException {
    for (String path : new String[] {Protocol.METRICS, S3Router.OLD_METRICS}) {
      Reply scrape = Http.get(s3.endpoint() + path);
      assertEquals(200, scrape.code(), path);
      assertTrue(scrape.text().contains("mkv_http_requests_total"), path);
    }
    assertEquals(200, client.call("PUT", "/metrics", null).code());
    assertEquals(200, client.call("PUT", "/metrics/m", bytes("an object")).code());
    Reply list = client.call("GET", "/metrics", null);
    assertEquals(200, list.code(), list.text());
    assertTrue(list.text().contains("<Key>m</Key>"), list.text());
    assertEquals(200, client.call("GET", "/metrics/m", null).code());
  }

  @Test
  void creatingABucketAgainIsAlreadyOwnedByYou() throws IOException {
    Reply again = client.call("PUT", "/gwb", null);
    assertEquals(409, again.code(), again.text());
    assertTrue(again.text().contains("<Code>BucketAlreadyOwnedByYou</Code>"), again.text());
  }

  @Test
  void putThenGetThroughBothApis() throws IOException {
    byte[] value = bytes("hello from s3");
    Reply put =
        client.call(
            "PUT",
            "/gwb/dir/a%20b.txt",
            value,
            "Content-Type",
            "text/plain",
            "x-amz-meta-color",
            "blue");
    assertEquals(200, put.code(), put.text());
    assertEquals("\"" + md5(value) + "\"", put.header("ETag"));
    Reply get = client.call("GET", "/gwb/dir/a%20b.txt", null);
    assertEquals(200, get.code(), get.text());
    assertArrayEquals(value, get.body());
    assertEquals("text/plain", get.header("Content-Type"));
    assertEquals("blue", get.header("x-amz-meta-color"));
    assertEquals(put.header("ETag"), get.header("ETag"));
    // the same key through the plain API: same bytes, same md5
    assertArrayEquals(value, Http.read(s3.cluster.url("/gwb/dir/a b.txt")));
    assertEquals(md5(value), Http.get(s3.cluster.url("/gwb/dir/a b.txt")).header("Content-Md5"));
  }

  @Test
  void plainPutIsAnObject() throws IOException {
    byte[] value = bytes("written with curl");
    assertEquals(201, Http.put(s3.cluster.url("/gwb/plain"), value).code());
    Reply head = client.call("HEAD", "/gwb/plain", null);
    assertEquals(200, head.code());
    assertEquals("\"" + md5(value) + "\"", head.header("ETag"));
    assertEquals(Integer.toString(value.length), head.header("Content-Length"));
    assertEquals("binary/octet-stream", head.header("Content-Type"));
    assertArrayEquals(value, client.call("GET", "/gwb/plain", null).body());
  }

  @Test
  void overwriteReplacesTheValue() throws IOException {
    assertEquals(200, client.call("PUT", "/gwb/ow", bytes("one")).code());
    Reply second = client.call("PUT", "/gwb/ow", bytes("two!"), "Content-Type", "text/x-two");
    assertEquals(200, second.code(), second.text());
    Reply get = client.call("GET", "/gwb/ow", null);
    assertEquals("two!", get.text());
    assertEquals("text/x-two", get.header("Content-Type"));
  }

  @Test
  void rangeAndConditionalReads() throws IOException {
    byte[] value = bytes("0123456789abcdef");
    client.call("PUT", "/gwb/range", value);
    Reply part = client.call("GET", "/gwb/range", null, "Range", "bytes=2-5");
    assertEquals(206, part.code(), part.text());
    assertEquals("2345", part.text());
    assertEquals("bytes 2-5/16", part.header("Content-Range"));
    assertEquals("cdef", client.call("GET", "/gwb/range", null, "Range", "bytes=-4").text());
    Reply bad = client.call("GET", "/gwb/range", null, "Range", "bytes=100-");
    assertEquals(416, bad.code());
    assertTrue(bad.text().contains("InvalidRange"));
    String etag = client.call("HEAD", "/gwb/range", null).header("ETag");
    assertEquals(304, client.call("GET", "/gwb/range", null, "If-None-Match", etag).code());
    assertEquals(412, client.call("GET", "/gwb/range", null, "If-Match", "\"nope\"").code());
    String modified = client.call("HEAD", "/gwb/range", null).header("Last-Modified");
    assertEquals(304, client.call("GET", "/gwb/range", null, "If-Modified-Since", modified).code());
  }

  @Test
  void partNumberOneIsTheWholeObjectAndNoOtherExists() throws IOException {
    byte[] value = bytes("one piece");
    assertEquals(200, client.call("PUT", "/gwb/parts", value).code());
    Reply one = client.call("GET", "/gwb/parts?partNumber=1", null);
    assertEquals(200, one.code(), one.text());
    assertArrayEquals(value, one.body());
    assertEquals(200, client.call("HEAD", "/gwb/parts?partNumber=1", null).code());
    Reply two = client.call("GET", "/gwb/parts?partNumber=2", null);
    assertEquals(416, two.code());
    assertTrue(two.text().contains("<Code>InvalidPartNumber</Code>"), two.text());
    Reply both = client.call("GET", "/gwb/parts?partNumber=1", null, "Range", "bytes=0-1");
    assertEquals(400, both.code());
  }

  @Test
  void missingKeyAndBucket() throws IOException {
    Reply key = client.call("GET", "/gwb/none", null);
    assertEquals(404, key.code());
    assertTrue(key.text().contains("<Code>NoSuchKey</Code>"), key.text());
    Reply bucket = client.call("GET", "/nobucket/none", null);
    assertEquals(404, bucket.code());
    assertTrue(bucket.text().contains("<Code>NoSuchBucket</Code>"), bucket.text());
    assertEquals(404, client.call("HEAD", "/gwb/none", null).code());
  }

  @Test
  void contentMd5MismatchIsBadDigestAndStoresNothing() throws IOException {
    Reply r =
        client.call(
            "PUT",
            "/gwb/md5",
            bytes("abc"),
            "Content-MD5",
            Base64.getEncoder().encodeToString(KeyPath.md5(bytes("abd"))));
    assertEquals(400, r.code());
    assertTrue(r.text().contains("<Code>BadDigest</Code>"), r.text());
    assertEquals(404, client.call("HEAD", "/gwb/md5", null).code());
  }

  @Test
  void bodyCutShortIsIncompleteBodyAndStoresNothing() throws IOException {
    try (java.net.Socket socket = client.rawPut("/gwb/short", 100, "ten bytes.")) {
      socket.shutdownOutput(); // 90 bytes short
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
      assertTrue(answer.contains("<Code>IncompleteBody</Code>"), answer);
    }
    assertEquals(404, client.call("HEAD", "/gwb/short", null).code());
  }

  @Test
  void signedBodyThatDiffersIsRefusedAndStoresNothing() throws IOException {
    Reply r =
        client.call(
            "PUT",
            "/gwb/sha",
            bytes("real body"),
            "x-amz-content-sha256",
            SigV4Hex.of("another body"));
    assertEquals(400, r.code());
    assertTrue(r.text().contains("XAmzContentSHA256Mismatch"), r.text());
    assertEquals(404, client.call("HEAD", "/gwb/sha", null).code());
  }

  @Test
  void emptyObject() throws IOException {
    assertEquals(200, client.call("PUT", "/gwb/dir/", new byte[0]).code());
    Reply get = client.call("GET", "/gwb/dir/", null);
    assertEquals(200, get.code());
    assertEquals(0, get.body().length);
    assertEquals("\"d41d8cd98f00b204e9800998ecf8427e\"", get.header("ETag"));
  }

  @Test
  void presignedGetAndPut() throws IOException {
    String put = client.presign("PUT", "/gwb/presigned", 60);
    Reply stored =
        Http.call(
            new okhttp3.Request.Builder()
                .url(put)
                .put(okhttp3.RequestBody.create(bytes("via url"), (okhttp3.MediaType) null))
                .build());
    assertEquals(200, stored.code(), stored.text());
    assertEquals("via url", Http.get(client.presign("GET", "/gwb/presigned", 60)).text());
    String tampered =
        client.presign("GET", "/gwb/presigned", 60).replace("X-Amz-Expires=60", "X-Amz-Expires=61");
    assertEquals(403, Http.get(tampered).code());
  }

  @Test
  void presignedCreateAndDeleteOfABucket() throws IOException {
    Reply created = Http.put(client.presign("PUT", "/presigned-bucket", 60), new byte[0]);
    assertEquals(200, created.code(), created.text());
    assertEquals(200, client.call("HEAD", "/presigned-bucket", null).code());
    assertEquals(204, Http.delete(client.presign("DELETE", "/presigned-bucket", 60)).code());
    assertEquals(404, client.call("HEAD", "/presigned-bucket", null).code());
  }

  @Test
  void copyObjectKeepsOrReplacesMetadata() throws IOException {
    client.call("PUT", "/gwb/src", bytes("copy me"), "Content-Type", "text/x-src");
    Reply copied = client.call("PUT", "/gwb/dst", null, "x-amz-copy-source", "/gwb/src");
    assertEquals(200, copied.code(), copied.text());
    assertTrue(
        copied.text().contains("<ETag>&quot;" + md5(bytes("copy me")) + "&quot;</ETag>"),
        copied.text());
    Reply dst = client.call("GET", "/gwb/dst", null);
    assertEquals("copy me", dst.text());
    assertEquals("text/x-src", dst.header("Content-Type"));
    Reply replaced =
        client.call(
            "PUT",
            "/gwb/src",
            null,
            "x-amz-copy-source",
            "gwb/src",
            "x-amz-metadata-directive",
            "REPLACE",
            "Content-Type",
            "text/x-new");
    assertEquals(200, replaced.code(), replaced.text());
    assertEquals("text/x-new", client.call("HEAD", "/gwb/src", null).header("Content-Type"));
    assertEquals(400, client.call("PUT", "/gwb/src", null, "x-amz-copy-source", "/gwb/src").code());
  }

  @Test
  void deleteIsIdempotentAndDeleteObjectsReportsEach() throws IOException {
    client.call("PUT", "/gwb/del/1", bytes("1"));
    client.call("PUT", "/gwb/del/2", bytes("2"));
    assertEquals(204, client.call("DELETE", "/gwb/del/1", null).code());
    assertEquals(204, client.call("DELETE", "/gwb/del/1", null).code());
    byte[] body =
        bytes(
            "<Delete><Object><Key>del/2</Key></Object><Object><Key>del/3</Key></Object></Delete>");
    Reply r =
        client.call(
            "POST",
            "/gwb?delete",
            body,
            "Content-MD5",
            Base64.getEncoder().encodeToString(KeyPath.md5(body)));
    assertEquals(200, r.code(), r.text());
    assertTrue(r.text().contains("<Deleted><Key>del/2</Key></Deleted>"), r.text());
    assertEquals(404, client.call("HEAD", "/gwb/del/2", null).code());
  }

  @Test
  void bucketsAreCreatedListedAndDeletedOnlyWhenEmpty() throws IOException {
    assertEquals(200, client.call("PUT", "/bkt-a", null).code());
    assertEquals(409, client.call("PUT", "/bkt-a", null).code());
    assertEquals(400, client.call("PUT", "/Bad_Name", null).code());
    assertEquals(200, client.call("HEAD", "/bkt-a", null).code());
    assertTrue(client.call("GET", "/", null).text().contains("<Name>bkt-a</Name>"));
    client.call("PUT", "/bkt-a/k", bytes("x"));
    Reply notEmpty = client.call("DELETE", "/bkt-a", null);
    assertEquals(409, notEmpty.code());
    assertTrue(notEmpty.text().contains("BucketNotEmpty"));
    client.call("DELETE", "/bkt-a/k", null);
    assertEquals(204, client.call("DELETE", "/bkt-a", null).code());
    assertEquals(404, client.call("HEAD", "/bkt-a", null).code());
    assertFalse(client.call("GET", "/", null).text().contains("<Name>bkt-a</Name>"));
  }

  @Test
  void listObjectsV2WithDelimiterAndPages() throws IOException {
    client.call("PUT", "/lst", null);
    for (String k : new String[] {"a/1", "a/2", "b", "c/x/1", "c/y", "d"}) {
      assertEquals(200, client.call("PUT", "/lst/" + k, bytes(k)).code());
    }
    String all = client.call("GET", "/lst?list-type=2&delimiter=%2F", null).text();
    assertTrue(all.contains("<KeyCount>4</KeyCount>"), all);
    assertTrue(all.contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"), all);
    assertTrue(all.contains("<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>"), all);
    assertTrue(all.contains("<Key>b</Key>") && all.contains("<Key>d</Key>"), all);
    assertFalse(all.contains("<Key>a/1</Key>"), all);
    String page1 = client.call("GET", "/lst?list-type=2&max-keys=2", null).text();
    assertTrue(page1.contains("<IsTruncated>true</IsTruncated>"), page1);
    String token =
        page1.replaceAll("(?s).*<NextContinuationToken>(.*)</NextContinuationToken>.*", "$1");
    String page2 =
        client.call("GET", "/lst?list-type=2&max-keys=2&continuation-token=" + token, null).text();
    assertTrue(page2.contains("<Key>b</Key>") && page2.contains("<Key>c/x/1</Key>"), page2);
    String sub = client.call("GET", "/lst?list-type=2&prefix=c%2F&delimiter=%2F", null).text();
    assertTrue(sub.contains("<Prefix>c/x/</Prefix>") && sub.contains("<Key>c/y</Key>"), sub);
    String v1 = client.call("GET", "/lst?marker=b&max-keys=1", null).text();
    assertTrue(
        v1.contains("<Key>c/x/1</Key>") && v1.contains("<IsTruncated>true</IsTruncated>"), v1);
    String after = client.call("GET", "/lst?list-type=2&start-after=c%2Fy", null).text();
    assertTrue(after.contains("<Key>d</Key>") && !after.contains("<Key>c/y</Key>"), after);
  }

  @Test
  void multipartUploadCompletesIntoOneValue() throws IOException {
    String init =
        client.call("POST", "/gwb/big?uploads", null, "Content-Type", "video/x-test").text();
    String id = init.replaceAll("(?s).*<UploadId>(.*)</UploadId>.*", "$1");
    byte[] p1 = new byte[5 << 20];
    java.util.Arrays.fill(p1, (byte) 1);
    byte[] p2 = bytes("tail");
    Reply r1 = client.call("PUT", "/gwb/big?partNumber=1&uploadId=" + id, p1);
    Reply r2 = client.call("PUT", "/gwb/big?partNumber=2&uploadId=" + id, p2);
    assertEquals(200, r1.code(), r1.text());
    assertEquals(200, r2.code(), r2.text());
    String parts = client.call("GET", "/gwb/big?uploadId=" + id, null).text();
    assertTrue(parts.contains("<PartNumber>2</PartNumber>"), parts);
    assertTrue(
        client
            .call("GET", "/gwb?uploads", null)
            .text()
            .contains("<UploadId>" + id + "</UploadId>"));
    String complete =
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
            + r1.header("ETag")
            + "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"
            + r2.header("ETag")
            + "</ETag></Part>"
            + "</CompleteMultipartUpload>";
    Reply done = client.call("POST", "/gwb/big?uploadId=" + id, bytes(complete));
    assertEquals(200, done.code(), done.text());
    byte[] whole = new byte[p1.length + p2.length];
    System.arraycopy(p1, 0, whole, 0, p1.length);
    System.arraycopy(p2, 0, whole, p1.length, p2.length);
    assertTrue(done.text().contains(md5(whole)), done.text());
    Reply get = client.call("GET", "/gwb/big", null);
    assertArrayEquals(whole, get.body());
    assertEquals("video/x-test", get.header("Content-Type"));
    assertArrayEquals(whole, Http.read(s3.cluster.url("/gwb/big")));
    assertFalse(client.call("GET", "/gwb?uploads", null).text().contains(id));
    assertEquals(404, client.call("GET", "/gwb/big?uploadId=" + id, null).code());
    Reply empty = Http.get(s3.cluster.url("/_s3/parts/") + "?list");
    assertTrue(empty.text().contains("\"keys\":[]"), empty.text());
  }

  @Test
  void abortedUploadLeavesNothing() throws IOException {
    String init = client.call("POST", "/gwb/gone?uploads", null).text();
    String id = init.replaceAll("(?s).*<UploadId>(.*)</UploadId>.*", "$1");
    assertEquals(
        200, client.call("PUT", "/gwb/gone?partNumber=1&uploadId=" + id, bytes("x")).code());
    assertEquals(204, client.call("DELETE", "/gwb/gone?uploadId=" + id, null).code());
    assertEquals(
        404, client.call("PUT", "/gwb/gone?partNumber=2&uploadId=" + id, bytes("y")).code());
    Reply parts = Http.get(s3.cluster.url("/_s3/parts/gwb/" + id + "/") + "?list");
    assertTrue(parts.text().contains("\"keys\":[]"), parts.text());
    assertNull(null);
  }

  /** The hex SHA-256 of a string. */
  static final class SigV4Hex {
    static String of(String s) {
      return mkv.s3.auth.SigV4.hex(mkv.s3.auth.SigV4.sha256().digest(bytes(s)));
    }
  }
}
