package mkv.s3.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mkv.s3.xml.S3Error;

/**
 * Checks a request's AWS Signature V4, from its {@code Authorization} header or from a presigned
 * query string, against the gateway's {@link Credentials}.
 *
 * <p>Paths are compared as the client sent them (S3 signs the path encoded once); a client that
 * encoded some character differently from RFC 3986 is given a second chance with the path
 * re-encoded canonically.
 */
public final class Authenticator {
  /** How far a request's time may be from ours (S3's own bound). */
  static final Duration MAX_SKEW = Duration.ofMinutes(15);

  /** The longest a presigned URL may live (S3's: 7 days). */
  static final long MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final String SERVICE = "s3";

  private final Credentials credentials;
  private final String region;
  private final Clock clock;

  /** Signing keys by access key, date and region: one HMAC chain per day instead of per request. */
  private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

  /**
   * @param region the only region accepted in a credential scope, or null for any
   */
  public Authenticator(Credentials credentials, String region, Clock clock) {
    this.credentials = credentials;
    this.region = region;
    this.clock = clock;
  }

  /** Whether the request carries any credentials (else it is anonymous, and refused). */
  public static boolean signed(SignedRequest r) {
    return r.header("authorization") != null
        || (r.rawQuery() != null && r.rawQuery().contains("X-Amz-Signature="));
  }

  /**
   * @return who signed the request and what its body must match
   * @throws S3Error 403 AccessDenied without credentials, SignatureDoesNotMatch,
   *     InvalidAccessKeyId, RequestTimeTooSkewed, an expired presigned URL; 400 for a malformed
   *     header
   */
  public Auth authenticate(SignedRequest r) {
    String authorization = r.header("authorization");
    if (authorization != null) {
      return fromHeader(r, authorization);
    }
    Map<String, String> query = rawParams(r.rawQuery());
    if (query.containsKey("X-Amz-Signature")) {
      return presigned(r, query);
    }
    if (query.containsKey("Signature") || query.containsKey("AWSAccessKeyId")) {
      throw S3Error.invalidRequest(
          "Signature Version 2 is not supported; sign requests with SigV4");
    }
    throw S3Error.accessDenied("Access Denied: the request is not signed");
  }

  private Auth fromHeader(SignedRequest r, String authorization) {
    if (authorization.startsWith("AWS ")) {
      throw S3Error.invalidRequest(
          "Signature Version 2 is not supported; sign requests with SigV4");
    }
    if (!authorization.startsWith(SigV4.ALGORITHM + " ")) {
      throw malformed("unsupported authorization type");
    }
    Map<String, String> fields = new HashMap<>();
    for (String part : authorization.substring(SigV4.ALGORITHM.length() + 1).split(",")) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq > 0) {
        fields.put(p.substring(0, eq), p.substring(eq + 1));
      }
    }
    String credential = fields.get("Credential");
    String signedHeaders = fields.get("SignedHeaders");
    String signature = fields.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      throw malformed("the Authorization header needs Credential, SignedHeaders and Signature");
    }
    String payload = r.header("x-amz-content-sha256");
    if (payload == null) {
      throw S3Error.invalidRequest(
          "Missing required header for this request: x-amz-content-sha256");
    }
    checkPayloadHash(payload);
    String amzDate = r.header("x-amz-date");
    Instant when;
    if (amzDate != null) {
      when = parseAmzDate(amzDate);
    } else {
      String date = r.header("date");
      if (date == null) {
        throw S3Error.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
      }
      try {
        when = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      } catch (DateTimeParseException e) {
        throw S3Error.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
      }
      amzDate = AMZ_DATE.format(LocalDateTime.ofInstant(when, ZoneOffset.UTC));
    }
    Scope scope = scope(credential, amzDate);
    Duration skew = Duration.between(when, clock.instant()).abs();
    if (skew.compareTo(MAX_SKEW) > 0) {
      throw new S3Error(
              403,
              "RequestTimeTooSkewed",
              "The difference between the request time and the server's time is too large.")
          .with("RequestTime", amzDate)
          .with("ServerTime", clock.instant().toString());
    }
    List<String> names = Arrays.asList(signedHeaders.split(";"));
    check(r, scope, names, payload, amzDate, signature, null);
    return new Auth(scope.accessKey, payload, scope.key, amzDate, scope.text, signature);
  }

  private Auth presigned(SignedRequest r, Map<String, String> q) {
    if (!SigV4.ALGORITHM.equals(q.get("X-Amz-Algorithm"))) {
      throw S3Error.invalidRequest("X-Amz-Algorithm must be " + SigV4.ALGORITHM);
    }
    String credential = q.get("X-Amz-Credential");
    String amzDate = q.get("X-Amz-Date");
    String expires = q.get("X-Amz-Expires");
    String signedHeaders = q.get("X-Amz-SignedHeaders");
    String signature = q.get("X-Amz-Signature");
    if (credential == null || amzDate == null || expires == null || signedHeaders == null) {
      throw S3Error.accessDenied(
          "a presigned URL needs X-Amz-Credential, X-Amz-Date, X-Amz-Expires and "
              + "X-Amz-SignedHeaders");
    }
    Instant when = parseAmzDate(amzDate);
    long seconds;
    try {
      seconds = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      throw S3Error.accessDenied("X-Amz-Expires must be a number of seconds");
    }
    if (seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
      throw S3Error.accessDenied(
          "X-Amz-Expires must be from 1 to " + MAX_EXPIRES_SECONDS + " seconds");
    }
    Instant now = clock.instant();
    if (now.isAfter(when.plusSeconds(seconds))) {
      throw S3Error.accessDenied("Request has expired")
          .with("X-Amz-Expires", expires)
          .with("Expires", when.plusSeconds(seconds).toString())
          .with("ServerTime", now.toString());
    }
    if (when.isAfter(now.plus(MAX_SKEW))) {
      throw S3Error.accessDenied("Request is not valid yet");
    }
    Scope scope = scope(credential, amzDate);
    String payload = q.getOrDefault("X-Amz-Content-Sha256", SigV4.UNSIGNED_PAYLOAD);
    List<String> names = Arrays.asList(signedHeaders.split(";"));
    check(r, scope, names, payload, amzDate, signature, "X-Amz-Signature");
    return new Auth(scope.accessKey, payload, scope.key, amzDate, scope.text, signature);
  }

  /**
   * Compares the signature with ours over the path as sent, then over the canonically encoded path.
   */
  private void check(
      SignedRequest r,
      Scope scope,
      List<String> signedHeaders,
      String payload,
      String amzDate,
      String signature,
      String skipParam) {
    if (!signedHeaders.contains("host")) {
      throw S3Error.accessDenied("the host header must be signed");
    }
    String query = SigV4.canonicalQuery(r.rawQuery(), skipParam);
    String canonical =
        SigV4.canonicalRequest(r.method(), r.rawPath(), query, r.headers(), signedHeaders, payload);
    String toSign = SigV4.stringToSign(amzDate, scope.text, canonical);
    if (SigV4.same(SigV4.hmacHex(scope.key, toSign), signature)) {
      return;
    }
    String normalized = SigV4.uriEncode(SigV4.percentDecode(r.rawPath()), false);
    if (!normalized.equals(r.rawPath())) {
      String c2 =
          SigV4.canonicalRequest(
              r.method(), normalized, query, r.headers(), signedHeaders, payload);
      if (SigV4.same(
          SigV4.hmacHex(scope.key, SigV4.stringToSign(amzDate, scope.text, c2)), signature)) {
        return;
      }
    }
    throw new S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the "
                + "signature you provided. Check your key and signing method.")
        .with("AWSAccessKeyId", scope.accessKey)
        .with("StringToSign", toSign)
        .with("SignatureProvided", signature)
        .with("CanonicalRequest", canonical);
  }

  /** The parsed credential scope with its signing key. */
  private record Scope(String accessKey, String text, byte[] key) {}

  private Scope scope(String credential, String amzDate) {
    String[] c = credential.split("/");
    if (c.length != 5 || !c[4].equals("aws4_request")) {
      throw malformed(
          "the Credential must be ACCESS_KEY/DATE/REGION/SERVICE/aws4_request, got " + credential);
    }
    String secret = credentials.secret(c[0]);
    if (secret == null) {
      throw new S3Error(
              403,
              "InvalidAccessKeyId",
              "The AWS Access Key Id you provided does not exist in our " + "records.")
          .with("AWSAccessKeyId", c[0]);
    }
    if (!amzDate.startsWith(c[1])) {
      throw malformed("the credential's date " + c[1] + " is not the request's " + amzDate);
    }
    if (!c[3].equals(SERVICE)) {
      throw malformed("the credential's service must be s3, not " + c[3]);
    }
    if (region != null && !region.equals(c[2])) {
      throw malformed("the region '" + c[2] + "' is wrong; expecting '" + region + "'")
          .with("Region", region);
    }
    String cacheKey = c[0] + '/' + c[1] + '/' + c[2];
    byte[] key = keys.get(cacheKey);
    if (key == null) {
      if (keys.size() > 1000) {
        keys.clear(); // old dates and regions: bounded, and cheap to recompute
      }
      key = SigV4.signingKey(secret, c[1], c[2], SERVICE);
      keys.put(cacheKey, key);
    }
    return new Scope(c[0], c[1] + '/' + c[2] + '/' + c[3] + "/aws4_request", key);
  }

  private static void checkPayloadHash(String payload) {
    if (payload.length() == 64 && payload.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      return;
    }
    switch (payload) {
      case SigV4.UNSIGNED_PAYLOAD,
          SigV4.STREAMING,
          SigV4.STREAMING_TRAILER,
          SigV4.STREAMING_UNSIGNED_TRAILER -> {
        return;
      }
      default ->
          throw S3Error.invalidArgument(
              "x-amz-content-sha256 must be a hex SHA-256, UNSIGNED-PAYLOAD or a "
                  + "STREAMING- mode, got "
                  + payload);
    }
  }

  private static Instant parseAmzDate(String s) {
    try {
      return LocalDateTime.parse(s, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw S3Error.accessDenied("X-Amz-Date must be yyyyMMddTHHmmssZ, got " + s);
    }
  }

  private static S3Error malformed(String message) {
    return new S3Error(400, "AuthorizationHeaderMalformed", message);
  }

  /** Raw query parameters, percent-decoded, first value of each name. */
  static Map<String, String> rawParams(String rawQuery) {
    Map<String, String> m = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return m;
    }
    for (String p : rawQuery.split("&")) {
      int eq = p.indexOf('=');
      String name = SigV4.percentDecode(eq < 0 ? p : p.substring(0, eq));
      m.putIfAbsent(name, eq < 0 ? "" : SigV4.percentDecode(p.substring(eq + 1)));
    }
    return m;
  }

  /** Names in lower case, for {@link SignedRequest#headers()}. */
  public static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
