package mkv.volume;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/**
 * A raw request path mapped to a file or directory under the volume's root, or refused.
 *
 * <p>The raw path is percent-decoded here (UTF-8, undertow's decoding is off) and only then split
 * on '/', so an encoded {@code %2F} is a separator exactly as nginx treats it, and {@code %2e%2e}
 * is {@code ..}. Refused with 400: malformed encoding, NUL and other control bytes, backslashes,
 * empty segments ({@code //}), any segment starting with '.' (covers {@code .}, {@code ..}, and the
 * {@code .tmp} directory that must never be served), segments longer than the file system allows.
 *
 * @param file the absolute normalized file or directory under root
 * @param directory whether the path ended in '/' (a directory listing, not a file)
 * @param display the decoded path, for log lines and messages
 */
record SafePath(Path file, boolean directory, String display) {

  /** The longest name most Linux file systems accept, in bytes. */
  static final int MAX_SEGMENT_BYTES = 255;

  static final int MAX_PATH_BYTES = 4000;

  /**
   * @param root absolute, normalized root directory
   * @param rawPath the request path as sent, without query string
   * @throws HttpError 400 if the path is malformed or would leave root
   */
  static SafePath parse(Path root, String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw bad("path must start with /");
    }
    String path = decode(rawPath);
    if (path.length() > MAX_PATH_BYTES) {
      throw bad("path too long");
    }
    if (path.equals("/")) {
      return new SafePath(root, true, "/");
    }
    boolean directory = path.endsWith("/");
    String rel = path.substring(1, directory ? path.length() - 1 : path.length());
    for (String segment : rel.split("/", -1)) {
      checkSegment(segment);
    }
    Path file;
    try {
      file = root.resolve(rel).normalize();
    } catch (InvalidPathException e) {
      throw bad("path not representable on this file system");
    }
    // Belt and braces: the segment rules above already exclude every way out of root.
    if (!file.startsWith(root) || file.equals(root)) {
      throw bad("path escapes the volume");
    }
    return new SafePath(file, directory, path);
  }

  private static void checkSegment(String segment) {
    if (segment.isEmpty()) {
      throw bad("empty path segment");
    }
    if (segment.charAt(0) == '.') {
      throw bad("path segment starts with '.'");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw bad("control character in path");
      }
      if (c == '\\') {
        throw bad("backslash in path");
      }
    }
    if (segment.length() * 3 > MAX_SEGMENT_BYTES
        && segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
      throw bad("path segment longer than " + MAX_SEGMENT_BYTES + " bytes");
    }
  }

  /** Percent-decodes to bytes, then decodes the bytes as strict UTF-8. '+' stays '+'. */
  static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return strictUtf8(raw.getBytes(StandardCharsets.ISO_8859_1), raw);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw bad("malformed percent-encoding");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw bad("malformed percent-encoding");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c > 0xff) {
        throw bad("non-latin1 character in raw path");
      } else {
        out.write(c);
      }
    }
    return strictUtf8(out.toByteArray(), raw);
  }

  private static String strictUtf8(byte[] bytes, String raw) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw bad("path is not valid UTF-8");
    }
  }

  private static HttpError bad(String message) {
    return new HttpError(ErrorCode.BAD_PATH, message);
  }
}
