package mkv.s3.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The arithmetic of AWS Signature Version 4: canonical request, string to sign, signing key, chunk
 * signatures. Pure functions, pinned by AWS's published examples in {@code SigV4Test}.
 */
public final class SigV4 {
  public static final String ALGORITHM = "AWS4-HMAC-SHA256";
  public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  public static final String STREAMING = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  public static final String STREAMING_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  public static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  public static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final HexFormat HEX = HexFormat.of();

  private SigV4() {}

  /** kSigning = HMAC chain of the secret over date, region, service and "aws4_request". */
  public static byte[] signingKey(String secret, String date, String region, String service) {
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    return hmac(k, "aws4_request");
  }

  /**
   * The canonical request.
   *
   * @param headers every header of the request, names in lower case, values in order received
   * @param signedHeaders the names the client signed, lower case, in its order (sorted)
   */
  public static String canonicalRequest(
      String method,
      String canonicalUri,
      String canonicalQuery,
      Map<String, List<String>> headers,
      List<String> signedHeaders,
      String payloadHash) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method)
        .append('\n')
        .append(canonicalUri)
        .append('\n')
        .append(canonicalQuery)
        .append('\n');
    for (String name : signedHeaders) {
      List<String> values = headers.getOrDefault(name, List.of());
      sb.append(name).append(':');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(trimAll(values.get(i)));
      }
      sb.append('\n');
    }
    sb.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
    return sb.toString();
  }

  public static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + sha256Hex(canonicalRequest);
  }

  /** The signature of one aws-chunked chunk, chained to the previous one. */
  public static String chunkSignature(
      byte[] signingKey, String amzDate, String scope, String previous, String chunkSha256Hex) {
    return hmacHex(
        signingKey,
        "AWS4-HMAC-SHA256-PAYLOAD\n"
            + amzDate
            + '\n'
            + scope
            + '\n'
            + previous
            + '\n'
            + EMPTY_SHA256
            + '\n'
            + chunkSha256Hex);
  }

  /** The signature of the trailing headers of a signed aws-chunked body. */
  public static String trailerSignature(
      byte[] signingKey, String amzDate, String scope, String previous, String trailerSha256Hex) {
    return hmacHex(
        signingKey,
        "AWS4-HMAC-SHA256-TRAILER\n"
            + amzDate
            + '\n'
            + scope
            + '\n'
            + previous
            + '\n'
            + trailerSha256Hex);
  }

  /**
   * The canonical query string of a raw query: each name and value percent-decoded, then encoded as
   * SigV4 wants (RFC 3986 unreserved kept), sorted by name then value.
   *
   * @param skip a parameter to leave out (the presigned signature), or null
   */
  public static String canonicalQuery(String rawQuery, String skip) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = uriEncode(percentDecode(eq < 0 ? p : p.substring(0, eq)), true);
      String value = eq < 0 ? "" : uriEncode(percentDecode(p.substring(eq + 1)), true);
      if (skip != null && name.equals(skip)) {
        continue;
      }
      pairs.add(new String[] {name, value});
    }
    pairs.sort(
        (a, b) -> {
          int c = a[0].compareTo(b[0]);
          return c != 0 ? c : a[1].compareTo(b[1]);
        });
    StringBuilder sb = new StringBuilder();
    for (String[] p : pairs) {
      if (!sb.isEmpty()) {
        sb.append('&');
      }
      sb.append(p[0]).append('=').append(p[1]);
    }
    return sb.toString();
  }

  /** Percent-encodes UTF-8 bytes except A-Z a-z 0-9 - _ . ~ (and / unless {@code slash}). */
  public static String uriEncode(String s, boolean slash) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~'
          || (c == '/' && !slash)) {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * Decodes %XX escapes (a {@code +} stays a plus) to a UTF-8 string; a malformed escape is kept as
   * it is, since this only feeds a signature comparison.
   */
  public static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 2 < s.length()
          && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Trims and collapses runs of spaces to one, as canonical header values want. */
  static String trimAll(String v) {
    String t = v.strip();
    if (t.indexOf("  ") < 0) {
      return t;
    }
    return t.replaceAll(" +", " ");
  }

  public static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  public static String hmacHex(byte[] key, String data) {
    return HEX.formatHex(hmac(key, data));
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public static String sha256Hex(String s) {
    return HEX.formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  public static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  /** Compares two signatures in time independent of where they differ. */
  public static boolean same(String a, String b) {
    return a != null
        && b != null
        && MessageDigest.isEqual(
            a.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
            b.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }
}
