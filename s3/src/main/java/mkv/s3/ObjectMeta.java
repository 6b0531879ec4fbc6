package mkv.s3;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import mkv.s3.auth.SigV4;
import mkv.s3.xml.S3Error;

/**
 * What S3 keeps with an object besides its bytes: Content-Type, the other headers S3 stores
 * (Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires) and user
 * metadata ({@code x-amz-meta-*}). Kept in the master's record as {@code Mkv-Meta}: {@code
 * name=value} pairs joined by {@code &}, each percent-encoded, names in lower case.
 *
 * @param headers stored headers by lower-case name, in the order received
 */
record ObjectMeta(Map<String, String> headers) {
  /** What S3 answers for an object stored without a Content-Type. */
  static final String DEFAULT_TYPE = "binary/octet-stream";

  /** S3's bound on user metadata: names and values, in bytes. */
  static final int MAX_USER_BYTES = 2048;

  private static final String[] SYSTEM = {
    "content-type",
    "content-encoding",
    "content-disposition",
    "content-language",
    "cache-control",
    "expires"
  };

  /** Upload markers keep the object's key here. */
  static final String KEY = "x-mkv-key";

  static final ObjectMeta NONE = new ObjectMeta(Map.of());

  /** The metadata a PUT (or CreateMultipartUpload) asks to keep. */
  static ObjectMeta of(HeaderMap request) {
    Map<String, String> kept = new LinkedHashMap<>();
    for (String name : SYSTEM) {
      String v = request.getFirst(name);
      if (v != null && !(name.equals("content-encoding") && v.equals("aws-chunked"))) {
        kept.put(name, name.equals("content-encoding") ? withoutAwsChunked(v) : v);
      }
    }
    int user = 0;
    for (HeaderValues h : request) {
      String name = h.getHeaderName().toString().toLowerCase(Locale.ROOT);
      if (name.startsWith("x-amz-meta-")) {
        String v = String.join(",", h);
        kept.put(name, v);
        user += name.length() - "x-amz-meta-".length() + v.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    if (user > MAX_USER_BYTES) {
      throw new S3Error(
          400,
          "MetadataTooLarge",
          "Your metadata headers exceed the maximum allowed metadata size "
              + "("
              + MAX_USER_BYTES
              + " bytes)");
    }
    kept.values().removeIf(String::isEmpty);
    return new ObjectMeta(kept);
  }

  private static String withoutAwsChunked(String encoding) {
    // "aws-chunked,gzip": aws-chunked is the transfer framing, not the object's encoding
    return String.join(
        ",",
        java.util.Arrays.stream(encoding.split(","))
            .map(String::strip)
            .filter(e -> !e.equalsIgnoreCase("aws-chunked"))
            .toList());
  }

  /** This metadata with one more pair. */
  ObjectMeta with(String name, String value) {
    Map<String, String> m = new LinkedHashMap<>(headers);
    m.put(name, value);
    return new ObjectMeta(m);
  }

  String get(String name) {
    return headers.get(name);
  }

  String contentType() {
    return headers.getOrDefault("content-type", DEFAULT_TYPE);
  }

  /** The {@code Mkv-Meta} value, or null when there is nothing to keep. */
  String encode() {
    if (headers.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    headers.forEach(
        (k, v) -> {
          if (!sb.isEmpty()) {
            sb.append('&');
          }
          sb.append(SigV4.uriEncode(k, true)).append('=').append(SigV4.uriEncode(v, true));
        });
    if (sb.length() > mkv.index.Record.MAX_META) {
      throw new S3Error(
          400,
          "MetadataTooLarge",
          "Your metadata headers exceed the maximum allowed metadata size");
    }
    return sb.toString();
  }

  /** Reads an {@code Mkv-Meta} value (null for none). */
  static ObjectMeta decode(String meta) {
    if (meta == null || meta.isEmpty()) {
      return NONE;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : meta.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        m.put(
            SigV4.percentDecode(pair.substring(0, eq)),
            SigV4.percentDecode(pair.substring(eq + 1)));
      }
    }
    return new ObjectMeta(m);
  }

  /** Sets the stored headers (but the internal ones) on a GET or HEAD answer. */
  void apply(HeaderMap response) {
    response.put(HttpString.tryFromString("Content-Type"), contentType());
    headers.forEach(
        (k, v) -> {
          if (!k.equals("content-type") && !k.startsWith("x-mkv-")) {
            response.put(HttpString.tryFromString(k), v);
          }
        });
  }
}
