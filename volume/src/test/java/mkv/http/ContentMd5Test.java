package mkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The one Content-MD5 check: both forms of the header, and what a mismatch is. */
class ContentMd5Test {
  private static final String HELLO_HEX = "5d41402abc4b2a76b9719d911017c592"; // md5("hello")

  @Test
  void base64AndHexReadTheSame() {
    assertEquals(HELLO_HEX, ContentMd5.parse("XUFAKrxLKna5cZ2REBfFkg=="));
    assertEquals(HELLO_HEX, ContentMd5.parse(" 5D41402ABC4B2A76B9719D911017C592 "));
    assertNull(ContentMd5.parse(null));
    assertNull(ContentMd5.parse(" "));
  }

  @Test
  void aMalformedHeaderIsInvalidDigest() {
    for (String bad : new String[] {"hello", "XUFAKrxLKna5cZ2REBfF", "z".repeat(32)}) {
      HttpError e = assertThrows(HttpError.class, () -> ContentMd5.parse(bad), bad);
      assertEquals(ErrorCode.INVALID_DIGEST, e.code());
      assertEquals(400, e.status());
    }
  }

  @Test
  void aDifferentBodyIsBadDigestAndNoHeaderChecksNothing() {
    ContentMd5.check(HELLO_HEX, HELLO_HEX);
    ContentMd5.check(null, HELLO_HEX);
    HttpError e = assertThrows(HttpError.class, () -> ContentMd5.check(HELLO_HEX, "0".repeat(32)));
    assertEquals(ErrorCode.BAD_DIGEST, e.code());
  }
}
