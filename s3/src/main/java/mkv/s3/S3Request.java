package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mkv.http.PercentDecoding;
import mkv.s3.auth.Auth;
import mkv.s3.auth.SignedRequest;
import mkv.s3.xml.S3Error;

/**
 * One S3 request: {@code /} (the service), {@code /bucket}, or {@code /bucket/key} (path-style), or
 * {@code /} and {@code /key} sent to {@code BUCKET.DOMAIN} (virtual-hosted-style, with a domain
 * configured); the key percent-decoded (any UTF-8 key), the query decoded (less a presigned URL's
 * X-Amz-* parameters), and what its signature covers.
 */
final class S3Request {
  private static final String PRESIGNED = "X-Amz-";

  /** The request as the IO thread parsed it, for the worker that may take it over. */
  static final AttachmentKey<S3Request> PARSED = AttachmentKey.create(S3Request.class);

  /**
   * Where the gateway keeps its own records: bucket names cannot start with '_', so no object key
   * can collide.
   */
  static final String INTERNAL = "/_s3/";

  final HttpServerExchange exchange;
  final String method;
  final String bucket;
  final String key;
  final Map<String, String> query;
  final SignedRequest signed;
  Auth auth;

  private S3Request(
      HttpServerExchange exchange,
      String bucket,
      String key,
      Map<String, String> query,
      SignedRequest signed) {
    this.exchange = exchange;
    this.method = exchange.getRequestMethod().toString();
    this.bucket = bucket;
    this.key = key;
    this.query = query;
    this.signed = signed;
  }

  /**
   * @param domain the gateway's domain for virtual-hosted-style requests, or null
   */
  static S3Request parse(HttpServerExchange exchange, String domain) {
    String raw = exchange.getRequestPath();
    String rawQuery = exchange.getQueryString();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HeaderValues h : exchange.getRequestHeaders()) {
      headers.put(h.getHeaderName().toString().toLowerCase(Locale.ROOT), new ArrayList<>(h));
    }
    SignedRequest signed =
        new SignedRequest(exchange.getRequestMethod().toString(), raw, rawQuery, headers);
    String bucket = virtualBucket(exchange.getRequestHeaders().getFirst("Host"), domain);
    String key = null;
    if (bucket != null) {
      if (raw.length() > 1) {
        key = decode(raw.substring(1));
      }
    } else if (raw.length() > 1) {
      int slash = raw.indexOf('/', 1);
      bucket = decode(slash < 0 ? raw.substring(1) : raw.substring(1, slash));
      if (slash >= 0 && slash + 1 < raw.length()) {
        key = decode(raw.substring(slash + 1));
      }
      if (bucket.isEmpty()) {
        throw S3Error.invalidRequest("no bucket in the path: /bucket/key");
      }
    }
    Map<String, String> query = new HashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (name.regionMatches(true, 0, PRESIGNED, 0, PRESIGNED.length())) {
          continue; // a presigned URL's signature (read from the raw query): not an operation's
        }
        query.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1).replace('+', ' ')));
      }
    }
    return new S3Request(exchange, bucket, key, query, signed);
  }

  /** The bucket a {@code Host: BUCKET.DOMAIN[:port]} names, or null (path-style). */
  static String virtualBucket(String host, String domain) {
    if (domain == null || host == null) {
      return null;
    }
    String name = host.toLowerCase(Locale.ROOT);
    int colon = name.lastIndexOf(':');
    if (colon >= 0 && name.indexOf(']') < colon) {
      name = name.substring(0, colon);
    }
    return name.length() > domain.length() + 1 && name.endsWith("." + domain)
        ? name.substring(0, name.length() - domain.length() - 1)
        : null;
  }

  /** The store key of this request's object: {@code /bucket/key}. */
  String storeKey() {
    return "/" + bucket + "/" + key;
  }

  boolean has(String param) {
    return query.containsKey(param);
  }

  String param(String name) {
    return query.get(name);
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** What a log line or an error names: {@code /bucket/key}. */
  String resource() {
    return bucket == null ? "/" : key == null ? "/" + bucket : storeKey();
  }

  /**
   * Percent-decodes to UTF-8 ({@code +} stays a plus, as in a path).
   *
   * @throws S3Error 400 on a malformed escape or bytes that are not UTF-8
   */
  static String decode(String s) {
    try {
      return PercentDecoding.decode(s, false);
    } catch (PercentDecoding.Malformed e) {
      throw S3Error.invalidArgument(
          e.notUtf8()
              ? "the request's path or query is not UTF-8 once decoded"
              : "malformed percent-encoding in the request");
    }
  }
}
