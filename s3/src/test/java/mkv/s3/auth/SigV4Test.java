package mkv.s3.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mkv.s3.xml.S3Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AWS's published SigV4 examples for S3 ("Signature Calculations for the Authorization Header",
 * "Authenticating Requests: Using Query Parameters", "Transferring Payload in Multiple Chunks"),
 * recomputed here: a pass means our canonicalization is S3's, not merely self-consistent.
 */
@Timeout(30)
class SigV4Test {
  static final String ACCESS = "AKIAIOSFODNN7EXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  static final Clock MAY_24 = Clock.fixed(Instant.parse("2013-05-24T00:00:00Z"), ZoneOffset.UTC);
  static final String EMPTY = SigV4.EMPTY_SHA256;

  private final Authenticator auth =
      new Authenticator(Credentials.of(ACCESS, SECRET), null, MAY_24);

  static String authorization(String signedHeaders, String signature) {
    return "AWS4-HMAC-SHA256 Credential="
        + ACCESS
        + "/20130524/us-east-1/s3/aws4_request,SignedHeaders="
        + signedHeaders
        + ",Signature="
        + signature;
  }

  static SignedRequest request(String method, String path, String query, String... headers) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i], List.of(headers[i + 1]));
    }
    return new SignedRequest(method, path, query, h);
  }

  /**
   * The request is accepted as signed, and refused once its signature differs in one digit: the
   * documented signature is the only one our canonicalization accepts.
   */
  private void assertSignatureChecked(SignedRequest r, String sig) {
    assertEquals(ACCESS, auth.authenticate(r).accessKey());
    String other = sig.substring(0, sig.length() - 1) + (sig.endsWith("0") ? "1" : "0");
    Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
    h.put("authorization", List.of(r.header("authorization").replace(sig, other)));
    S3Error e =
        assertThrows(
            S3Error.class,
            () -> auth.authenticate(new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), h)));
    assertEquals("SignatureDoesNotMatch", e.code());
  }

  @Test
  void signingKeyMatchesTheDocumentedDerivation() {
    assertEquals(
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
        SigV4.hex(
            SigV4.signingKey(
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")));
  }

  @Test
  void getObjectWithRangeIsAccepted() {
    String sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    Auth a =
        auth.authenticate(
            request(
                "GET",
                "/test.txt",
                null,
                "host",
                "examplebucket.s3.amazonaws.com",
                "range",
                "bytes=0-9",
                "x-amz-content-sha256",
                EMPTY,
                "x-amz-date",
                "20130524T000000Z",
                "authorization",
                authorization("host;range;x-amz-content-sha256;x-amz-date", sig)));
    assertEquals(ACCESS, a.accessKey());
    assertEquals(EMPTY, a.bodySha256());
  }

  @Test
  void putObjectWithDateHeaderAndEscapedPathIsAccepted() {
    String sig = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
    assertSignatureChecked(
        request(
            "PUT",
            "/test%24file.text",
            null,
            "host",
            "examplebucket.s3.amazonaws.com",
            "date",
            "Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-date",
            "20130524T000000Z",
            "x-amz-storage-class",
            "REDUCED_REDUNDANCY",
            "x-amz-content-sha256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            "authorization",
            authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", sig)),
        sig);
  }

  @Test
  void pathSentUnescapedIsCheckedCanonicallyEncoded() {
    String sig = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
    assertSignatureChecked(
        request(
            "PUT",
            "/test$file.text",
            null,
            "host",
            "examplebucket.s3.amazonaws.com",
            "date",
            "Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-date",
            "20130524T000000Z",
            "x-amz-storage-class",
            "REDUCED_REDUNDANCY",
            "x-amz-content-sha256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            "authorization",
            authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", sig)),
        sig);
  }

  @Test
  void queryWithoutValueIsCanonical() {
    String sig = "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543";
    assertSignatureChecked(
        request(
            "GET",
            "/",
            "lifecycle",
            "host",
            "examplebucket.s3.amazonaws.com",
            "x-amz-content-sha256",
            EMPTY,
            "x-amz-date",
            "20130524T000000Z",
            "authorization",
            authorization("host;x-amz-content-sha256;x-amz-date", sig)),
        sig);
  }

  @Test
  void queryParametersAreSorted() {
    String sig = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
    assertSignatureChecked(
        request(
            "GET",
            "/",
            "prefix=J&max-keys=2",
            "host",
            "examplebucket.s3.amazonaws.com",
            "x-amz-content-sha256",
            EMPTY,
            "x-amz-date",
            "20130524T000000Z",
            "authorization",
            authorization("host;x-amz-content-sha256;x-amz-date", sig)),
        sig);
  }

  @Test
  void presignedGetIsAcceptedUntilItExpires() {
    String query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            + "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    SignedRequest r = request("GET", "/test.txt", query, "host", "examplebucket.s3.amazonaws.com");
    assertEquals(SigV4.UNSIGNED_PAYLOAD, auth.authenticate(r).payload());
    Authenticator dayLater =
        new Authenticator(
            Credentials.of(ACCESS, SECRET),
            null,
            Clock.fixed(Instant.parse("2013-05-25T00:00:01Z"), ZoneOffset.UTC));
    S3Error e = assertThrows(S3Error.class, () -> dayLater.authenticate(r));
    assertEquals("AccessDenied", e.code());
    assertEquals("Request has expired", e.getMessage());
  }

  @Test
  void wrongSecretIsSignatureDoesNotMatch() {
    Authenticator other = new Authenticator(Credentials.of(ACCESS, "not-the-secret"), null, MAY_24);
    S3Error e =
        assertThrows(
            S3Error.class,
            () ->
                other.authenticate(
                    request(
                        "GET",
                        "/",
                        "lifecycle",
                        "host",
                        "examplebucket.s3.amazonaws.com",
                        "x-amz-content-sha256",
                        EMPTY,
                        "x-amz-date",
                        "20130524T000000Z",
                        "authorization",
                        authorization(
                            "host;x-amz-content-sha256;x-amz-date",
                            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))));
    assertEquals(403, e.status());
    assertEquals("SignatureDoesNotMatch", e.code());
  }

  @Test
  void unknownKeyAndNoCredentialsAreRefused() {
    Authenticator other = new Authenticator(Credentials.of("SOMEONEELSE", SECRET), null, MAY_24);
    S3Error unknown =
        assertThrows(
            S3Error.class,
            () ->
                other.authenticate(
                    request(
                        "GET",
                        "/",
                        "lifecycle",
                        "host",
                        "h",
                        "x-amz-content-sha256",
                        EMPTY,
                        "x-amz-date",
                        "20130524T000000Z",
                        "authorization",
                        authorization("host;x-amz-content-sha256;x-amz-date", "00"))));
    assertEquals("InvalidAccessKeyId", unknown.code());
    S3Error anonymous =
        assertThrows(
            S3Error.class, () -> auth.authenticate(request("GET", "/", null, "host", "h")));
    assertEquals(403, anonymous.status());
    assertEquals("AccessDenied", anonymous.code());
  }

  @Test
  void requestFarFromOurClockIsRefused() {
    Authenticator later =
        new Authenticator(
            Credentials.of(ACCESS, SECRET),
            null,
            Clock.fixed(Instant.parse("2013-05-24T00:16:00Z"), ZoneOffset.UTC));
    S3Error e =
        assertThrows(
            S3Error.class,
            () ->
                later.authenticate(
                    request(
                        "GET",
                        "/",
                        "lifecycle",
                        "host",
                        "examplebucket.s3.amazonaws.com",
                        "x-amz-content-sha256",
                        EMPTY,
                        "x-amz-date",
                        "20130524T000000Z",
                        "authorization",
                        authorization(
                            "host;x-amz-content-sha256;x-amz-date",
                            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))));
    assertEquals("RequestTimeTooSkewed", e.code());
  }

  // ---- aws-chunked: the documented 66,560 bytes of 'a' in chunks of 65,536, 1,024 and 0 ----

  static final String SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  static final String[] CHUNK_SIGNATURES = {
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
  };

  static SignedRequest streamingPut() {
    return request(
        "PUT",
        "/examplebucket/chunkObject.txt",
        null,
        "host",
        "s3.amazonaws.com",
        "content-encoding",
        "aws-chunked",
        "content-length",
        "66824",
        "x-amz-content-sha256",
        SigV4.STREAMING,
        "x-amz-date",
        "20130524T000000Z",
        "x-amz-decoded-content-length",
        "66560",
        "x-amz-storage-class",
        "REDUCED_REDUNDANCY",
        "authorization",
        authorization(
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                + "x-amz-decoded-content-length;x-amz-storage-class",
            SEED));
  }

  static byte[] chunkedBody(int corruptAt) {
    StringBuilder sb = new StringBuilder();
    int[] sizes = {65536, 1024, 0};
    for (int i = 0; i < 3; i++) {
      sb.append(Integer.toHexString(sizes[i]))
          .append(";chunk-signature=")
          .append(CHUNK_SIGNATURES[i])
          .append("\r\n");
      sb.append("a".repeat(sizes[i])).append("\r\n");
    }
    byte[] body = sb.toString().getBytes(StandardCharsets.US_ASCII);
    if (corruptAt >= 0) {
      body[corruptAt] = 'b';
    }
    return body;
  }

  @Test
  void chunkedUploadDecodesWithEveryChunkSignatureChecked() throws IOException {
    SignedRequest r = streamingPut();
    Auth a = auth.authenticate(r);
    byte[] body = chunkedBody(-1);
    assertEquals(66824, body.length);
    try (Payload p = Payload.of(new ByteArrayInputStream(body), a, r, body.length)) {
      assertEquals(66560, p.length());
      assertArrayEquals("a".repeat(66560).getBytes(StandardCharsets.US_ASCII), p.readAllBytes());
    }
  }

  @Test
  void chunkWithAlteredDataFailsBeforeItsLastByteIsHandedOn() throws IOException {
    SignedRequest r = streamingPut();
    Auth a = auth.authenticate(r);
    byte[] body = chunkedBody(66000); // inside the second chunk's data
    try (Payload p = Payload.of(new ByteArrayInputStream(body), a, r, body.length)) {
      byte[] got = new byte[66560];
      int n = 0;
      PayloadException e = null;
      try {
        for (int k; n < got.length && (k = p.read(got, n, got.length - n)) > 0; ) {
          n += k;
        }
      } catch (PayloadException failed) {
        e = failed;
      }
      assertEquals("SignatureDoesNotMatch", e == null ? "no failure" : e.error().code());
      assertEquals(true, n < 66560, "the last byte must never be handed on");
    }
  }

  @Test
  void signedBodyHashIsChecked() throws IOException {
    String sig = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
    SignedRequest r =
        request(
            "PUT",
            "/test%24file.text",
            null,
            "host",
            "examplebucket.s3.amazonaws.com",
            "date",
            "Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-date",
            "20130524T000000Z",
            "x-amz-storage-class",
            "REDUCED_REDUNDANCY",
            "x-amz-content-sha256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            "authorization",
            authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", sig));
    Auth a = auth.authenticate(r);
    byte[] good = "Welcome to Amazon S3.".getBytes(StandardCharsets.US_ASCII);
    try (Payload p = Payload.of(new ByteArrayInputStream(good), a, r, good.length)) {
      assertArrayEquals(good, p.readAllBytes());
    }
    byte[] bad = "Welcome to Amazon S4.".getBytes(StandardCharsets.US_ASCII);
    try (Payload p = Payload.of(new ByteArrayInputStream(bad), a, r, bad.length)) {
      PayloadException e = assertThrows(PayloadException.class, p::readAllBytes);
      assertEquals("XAmzContentSHA256Mismatch", e.error().code());
    }
  }

  @Test
  void unsignedTrailerChecksumIsChecked() throws IOException {
    String body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
    Auth a =
        new Auth(
            ACCESS,
            SigV4.STREAMING_UNSIGNED_TRAILER,
            new byte[32],
            "20130524T000000Z",
            "s",
            "seed");
    SignedRequest r =
        request(
            "PUT",
            "/b/k",
            null,
            "x-amz-decoded-content-length",
            "5",
            "x-amz-trailer",
            "x-amz-checksum-crc32");
    try (Payload p =
        Payload.of(new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), a, r, -1)) {
      assertEquals("hello", new String(p.readAllBytes(), StandardCharsets.US_ASCII));
    }
    String wrong = body.replace("NhCmhg==", "AAAAAA==");
    try (Payload p =
        Payload.of(new ByteArrayInputStream(wrong.getBytes(StandardCharsets.US_ASCII)), a, r, -1)) {
      PayloadException e = assertThrows(PayloadException.class, p::readAllBytes);
      assertEquals("BadDigest", e.error().code());
    }
  }
}
