package mkv.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict percent-decoding of request paths and queries to UTF-8, shared by the master's API and the
 * S3 gateway: a malformed escape or bytes that are not UTF-8 are refused, never guessed at.
 */
public final class PercentDecoding {
  private PercentDecoding() {}

  /** Why a string could not be decoded. */
  public static final class Malformed extends IllegalArgumentException {
    private final boolean notUtf8;

    private Malformed(boolean notUtf8) {
      super(notUtf8 ? "not valid UTF-8 once percent-decoded" : "malformed percent-encoding");
      this.notUtf8 = notUtf8;
    }

    /** Whether the escapes were well formed but decoded to bytes that are not UTF-8. */
    public boolean notUtf8() {
      return notUtf8;
    }
  }

  /**
   * Decodes {@code %XX} escapes to UTF-8; {@code plusIsSpace} for a query as Go's net/url reads it
   * (in a path a {@code +} stays a plus).
   *
   * @throws Malformed on a malformed escape or bytes that are not UTF-8
   */
  public static String decode(String s, boolean plusIsSpace) {
    if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new Malformed(false);
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else if (c < 0x80) {
        out.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Malformed(true);
    }
  }
}
