package mkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Strict percent-decoding: UTF-8 round-trips, '+' only in queries, nothing malformed guessed at.
 */
class PercentDecodingTest {
  @Test
  void decodesUtf8AndPlusOnlyInQueries() {
    assertEquals("/ключ/a b", PercentDecoding.decode("/%D0%BA%D0%BB%D1%8E%D1%87/a%20b", false));
    assertEquals("/a+b", PercentDecoding.decode("/a+b", false));
    assertEquals("/a b", PercentDecoding.decode("/a+b", true));
    assertEquals("/日本", PercentDecoding.decode("/日本", false));
  }

  @Test
  void refusesMalformedEscapesAndBytesThatAreNotUtf8() {
    for (String bad : new String[] {"/a%", "/a%2", "/a%zz", "/%G0"}) {
      assertFalse(
          assertThrows(PercentDecoding.Malformed.class, () -> PercentDecoding.decode(bad, false))
              .notUtf8(),
          bad);
    }
    assertTrue(
        assertThrows(PercentDecoding.Malformed.class, () -> PercentDecoding.decode("/%ff", false))
            .notUtf8());
  }
}
