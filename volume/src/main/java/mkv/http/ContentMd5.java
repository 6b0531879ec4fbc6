package mkv.http;

import java.util.Base64;
import java.util.HexFormat;

/**
 * The one {@code Content-MD5} check of every server: reads a writer's header (the base64 of the 16
 * bytes, RFC 1864, or 32 hex digits) and compares it with what the body turned out to be.
 */
public final class ContentMd5 {
  private ContentMd5() {}

  /**
   * @return the md5 in lowercase hex, or null when the header is absent
   * @throws HttpError {@link ErrorCode#INVALID_DIGEST} when the header is neither form
   */
  public static String parse(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.trim();
    try {
      if (h.length() == 32) {
        return HexFormat.of().formatHex(HexFormat.of().parseHex(h));
      }
      byte[] raw = Base64.getDecoder().decode(h);
      if (raw.length == 16) {
        return HexFormat.of().formatHex(raw);
      }
    } catch (IllegalArgumentException malformed) {
      // answered below
    }
    throw new HttpError(
        ErrorCode.INVALID_DIGEST,
        "Content-MD5 must be the base64 of 16 bytes or 32 hex digits, got '" + h + "'");
  }

  /**
   * @param expected what {@link #parse} made of the header (null: nothing to check)
   * @param actual the body's md5 in lowercase hex
   * @throws HttpError {@link ErrorCode#BAD_DIGEST} when they differ
   */
  public static void check(String expected, String actual) {
    if (expected != null && !expected.equals(actual)) {
      throw new HttpError(
          ErrorCode.BAD_DIGEST,
          "the body's md5 " + actual + " does not match Content-MD5 " + expected);
    }
  }
}
