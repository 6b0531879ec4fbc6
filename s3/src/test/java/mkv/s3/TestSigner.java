package mkv.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import mkv.s3.auth.Presigner;
import mkv.s3.auth.SigV4;
import mkv.testing.Http;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A minimal SigV4 client for the gateway's Java tests (header auth, presigned URLs). */
final class TestSigner {
  private static final DateTimeFormatter AMZ =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  final String endpoint;
  private final String access;
  private final String secret;

  TestSigner(String endpoint, String access, String secret) {
    this.endpoint = endpoint;
    this.access = access;
    this.secret = secret;
  }

  TestSigner withSecret(String other) {
    return new TestSigner(endpoint, access, other);
  }

  /** A signed request; {@code pathAndQuery} raw (already encoded), headers as name, value pairs. */
  Http.Reply call(String method, String pathAndQuery, byte[] body, String... headers)
      throws IOException {
    return Http.call(request(method, pathAndQuery, body, headers));
  }

  Request request(String method, String pathAndQuery, byte[] body, String... headers) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    String amzDate = AMZ.format(Instant.now());
    String payload = body == null ? SigV4.EMPTY_SHA256 : SigV4.hex(SigV4.sha256().digest(body));
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i], headers[i + 1]);
    }
    h.put("x-amz-date", amzDate);
    h.putIfAbsent("x-amz-content-sha256", payload);
    String host = endpoint.substring(endpoint.indexOf("://") + 3);
    TreeMap<String, List<String>> signed = new TreeMap<>();
    signed.put("host", List.of(host));
    h.forEach((k, v) -> signed.put(k.toLowerCase(Locale.ROOT), List.of(v)));
    String scope = amzDate.substring(0, 8) + "/us-east-1/s3/aws4_request";
    List<String> names = new ArrayList<>(signed.keySet());
    String canonical =
        SigV4.canonicalRequest(
            method,
            path,
            SigV4.canonicalQuery(query, null),
            signed,
            names,
            h.get("x-amz-content-sha256"));
    byte[] key = SigV4.signingKey(secret, amzDate.substring(0, 8), "us-east-1", "s3");
    String signature = SigV4.hmacHex(key, SigV4.stringToSign(amzDate, scope, canonical));
    Request.Builder b = new Request.Builder().url(endpoint + pathAndQuery);
    h.forEach(b::header);
    b.header(
        "Authorization",
        SigV4.ALGORITHM
            + " Credential="
            + access
            + "/"
            + scope
            + ", SignedHeaders="
            + String.join(";", names)
            + ", Signature="
            + signature);
    RequestBody rb =
        body == null
            ? (method.equals("PUT") || method.equals("POST")
                ? RequestBody.create(new byte[0], (MediaType) null)
                : null)
            : RequestBody.create(body, (MediaType) null);
    return b.method(method, rb).build();
  }

  /**
   * A raw socket that has sent a presigned PUT of {@code path} announcing {@code contentLength}
   * bytes, then only {@code start} of them: for bodies that stop short or stall.
   */
  java.net.Socket rawPut(String path, long contentLength, String start) throws IOException {
    java.net.URI u = java.net.URI.create(presign("PUT", path, 60));
    java.net.Socket socket = new java.net.Socket(u.getHost(), u.getPort());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("PUT "
                    + u.getRawPath()
                    + "?"
                    + u.getRawQuery()
                    + " HTTP/1.1\r\nHost: "
                    + u.getHost()
                    + ":"
                    + u.getPort()
                    + "\r\nContent-Length: "
                    + contentLength
                    + "\r\n\r\n"
                    + start)
                .getBytes(StandardCharsets.ISO_8859_1));
    return socket;
  }

  /** A presigned URL for {@code method} on {@code path}, valid {@code seconds}. */
  String presign(String method, String path, long seconds) {
    String host = endpoint.substring(endpoint.indexOf("://") + 3);
    return endpoint
        + new Presigner(host, access, secret, "us-east-1")
            .pathAndQuery(method, path, Duration.ofSeconds(seconds));
  }

  static String text(Http.Reply r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  static Response raw(Request r) throws IOException {
    return Http.CLIENT.newCall(r).execute();
  }
}
