package mkv.master;

import java.util.Base64;
import java.util.HexFormat;
import mkv.http.HttpError;

/** Reads a client's {@code Content-MD5}: base64 of the 16 bytes (RFC 1864), or 32 hex digits. */
final class ContentMd5 {
  private ContentMd5() {}

  /**
   * @return the md5 in lowercase hex, or null when the header is absent
   * @throws HttpError 400 when the header is neither form
   */
  static String parse(String header) {
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
        400, "Content-MD5 must be the base64 of 16 bytes or 32 hex digits, got '" + h + "'");
  }
}
