package mkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The one Range parser, as the volume's GET and the gateway's GetObject read a header. */
class ByteRangeTest {
  @Test
  void oneRangeIsClippedToTheValue() {
    assertEquals(new ByteRange(0, 9), ByteRange.parse("bytes=0-9", 100));
    assertEquals(new ByteRange(90, 99), ByteRange.parse("bytes=90-", 100));
    assertEquals(new ByteRange(90, 99), ByteRange.parse("bytes=90-1000", 100));
    assertEquals(new ByteRange(70, 99), ByteRange.parse("bytes=-30", 100));
    assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=-300", 100));
    assertEquals(new ByteRange(1, 2), ByteRange.parse(" bytes= 1 - 2 ", 100));
  }

  @Test
  void theUnitIsCaseInsensitive() {
    assertEquals(new ByteRange(0, 0), ByteRange.parse("Bytes=0-0", 10));
    assertEquals(new ByteRange(0, 0), ByteRange.parse("BYTES=0-0", 10));
  }

  @Test
  void aRangePastTheEndIsUnsatisfiable() {
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=100-", 100));
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", 100));
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0));
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-5", 0));
  }

  @Test
  void anythingElseServesTheWholeValue() {
    for (String h :
        new String[] {
          "bytes=0-1,5-6",
          "items=0-1",
          "bytes=5-1",
          "bytes=+1-2",
          "bytes=1-+2",
          "bytes=--5",
          "bytes=a-b",
          "bytes=-",
          "bytes=1",
          "bytes=" + "9".repeat(19) + "-"
        }) {
      assertNull(ByteRange.parse(h, 100), h);
    }
    assertNull(ByteRange.parse(null, 100));
  }

  @Test
  void itsHeadersSayWhatItIs() {
    ByteRange r = new ByteRange(5, 9);
    assertEquals(5, r.length());
    assertEquals("bytes=5-9", r.header());
    assertEquals("bytes 5-9/100", r.contentRange(100));
  }
}
