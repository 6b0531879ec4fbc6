package mkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The response parser on its own, fed bytes as a connection would: whole, or in any pieces. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponseParserTest {
  private static final String SERVER = "127.0.0.1:3001";

  /** What a connection made of a response: its head and its body. */
  private record Read(ResponseHead head, String body, boolean complete) {}

  /**
   * Feeds {@code response} in pieces of {@code piece} bytes through one buffer, as a connection
   * reads a socket: fill, flip, parse, compact.
   */
  private static Read read(String response, int piece, boolean headRequest) throws IOException {
    ResponseParser parser = new ResponseParser(SERVER);
    byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer in = ByteBuffer.allocate(ResponseParser.MAX_HEAD + 64);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ResponseHead head = null;
    boolean complete = false;
    for (int at = 0; at < bytes.length && !complete; at += piece) {
      in.put(bytes, at, Math.min(piece, bytes.length - at)).flip();
      if (head == null) {
        head = parser.head(in, headRequest);
      }
      if (head != null) {
        complete =
            parser.body(
                in,
                p -> {
                  byte[] b = new byte[p.remaining()];
                  p.get(b);
                  body.write(b);
                });
      }
      in.compact();
    }
    if (head != null && !complete) {
      parser.endOfStream(); // the server closes after the last byte
      complete = parser.done();
    }
    return new Read(head, body.toString(StandardCharsets.ISO_8859_1), complete);
  }

  private static Read read(String response) throws IOException {
    return read(response, 4096, false);
  }

  private static void assertMalformed(String response, String why) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> read(response));
    assertTrue(e.getMessage().startsWith(SERVER + " sent a malformed response: "), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  @Test
  void aHeadSplitAnywhereReadsTheSame() throws IOException {
    String response =
        "HTTP/1.1 302 Found\r\nLocation: http://v/x\r\nKey-Volumes: a,b\r\n"
            + "Content-Length: 5\r\n\r\nhello";
    for (int piece = 1; piece <= response.length(); piece++) {
      Read r = read(response, piece, false);
      assertEquals(302, r.head().status(), "pieces of " + piece);
      assertEquals("a,b", r.head().header("key-volumes"));
      assertEquals("http://v/x", r.head().header("LOCATION"));
      assertEquals(ResponseHead.Framing.LENGTH, r.head().framing());
      assertTrue(r.head().keepAlive());
      assertEquals("hello", r.body());
      assertTrue(r.complete());
    }
  }

  @Test
  void headIsNotReadUntilItsEmptyLineHasCome() throws IOException {
    ResponseParser parser = new ResponseParser(SERVER);
    ByteBuffer in =
        ByteBuffer.wrap("HTTP/1.1 200 OK\r\nA: b\r\n\r".getBytes(StandardCharsets.US_ASCII));
    assertNull(parser.head(in, false));
    assertEquals(0, in.position(), "nothing consumed");
  }

  @Test
  void bareLineFeedsEndLinesToo() throws IOException {
    Read r = read("HTTP/1.1 200 OK\nContent-Length: 2\nA: b\n\nok");
    assertEquals("b", r.head().header("A"));
    assertEquals("ok", r.body());
  }

  @Test
  void foldedLinesJoinTheFieldBeforeThem() throws IOException {
    Read r =
        read("HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\tthree\r\nContent-Length: 0\r\n\r\n");
    assertEquals("one two three", r.head().header("x-long"));
    assertMalformed("HTTP/1.1 200 OK\r\n folded\r\n\r\n", "a folded line before any field");
  }

  @Test
  void repeatedFieldsJoinWithCommasAndEqualLengthsAgree() throws IOException {
    Read r =
        read(
            "HTTP/1.1 200 OK\r\nVia: a\r\nContent-Length: 2\r\nvia: b\r\n"
                + "Content-Length: 2, 2\r\n\r\nok");
    assertEquals("a, b", r.head().header("Via"));
    assertEquals(2, r.head().contentLength());
    assertEquals("ok", r.body());
    assertMalformed(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "Content-Lengths 2 and 3 differ");
  }

  @Test
  void badNumbersAreMalformedResponsesNotCrashes() {
    for (String length : new String[] {"12x", "-1", "", "+5", "0x10", "1 2", "9".repeat(19)}) {
      assertMalformed(
          "HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n", "bad Content-Length");
    }
    assertMalformed("HTTP/1.1 2x0 OK\r\n\r\n", "not a status code");
    assertMalformed("HTTP/1.1 099 Low\r\n\r\n", "status 99 out of range");
    assertMalformed("HTTP/1.1 600 High\r\n\r\n", "status 600 out of range");
    assertMalformed("HTTP/2 200\r\n\r\n", "not an HTTP/1.x status line");
    assertMalformed("HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP/1.x status line");
    assertMalformed("garbage\r\n\r\n", "not an HTTP/1.x status line");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size 'zz'");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "f".repeat(16) + "\r\n",
        "bad chunk size");
  }

  @Test
  void fieldsMustBeNameColonValue() {
    assertMalformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "not a header field");
    assertMalformed("HTTP/1.1 200 OK\r\n: no name\r\n\r\n", "not a header field");
    assertMalformed("HTTP/1.1 200 OK\r\nName : space\r\n\r\n", "not a header field");
  }

  @Test
  void chunkedBodiesAreDecodedWithExtensionsAndTrailers() throws IOException {
    String response =
        "HTTP/1.1 507 Insufficient Storage\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\ndisk \r\n5;x=y\r\nfull\n\r\nA \r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n";
    for (int piece = 1; piece <= response.length(); piece++) {
      Read r = read(response, piece, false);
      assertEquals(ResponseHead.Framing.CHUNKED, r.head().framing());
      assertEquals("disk full\n0123456789", r.body(), "pieces of " + piece);
      assertTrue(r.complete());
    }
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        "a chunk longer than its size line said");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "chunked is not the last");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
        "both Transfer-Encoding and Content-Length");
  }

  @Test
  void interimAnswersAreSkippedButASwitchIsRefused() throws IOException {
    Read r =
        read(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
            7,
            false);
    assertEquals(201, r.head().status());
    assertNull(r.head().header("Link"), "the interim answer's fields are not the final one's");
    assertEquals("ok", r.body());
    assertMalformed("HTTP/1.1 101 Switching Protocols\r\n\r\n", "101 Switching Protocols");
  }

  @Test
  void bodylessAnswersHaveNoBodyWhateverTheyDeclare() throws IOException {
    Read head = read("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", 1000, true);
    assertEquals(ResponseHead.Framing.NONE, head.head().framing());
    assertEquals(1234, head.head().contentLength(), "a HEAD's length is the value's");
    assertTrue(head.complete());
    for (int status : new int[] {204, 304}) {
      Read r = read("HTTP/1.1 " + status + " X\r\n\r\n");
      assertEquals(ResponseHead.Framing.NONE, r.head().framing());
      assertTrue(r.head().keepAlive());
      assertTrue(r.complete());
    }
  }

  @Test
  void aBodyWithoutLengthEndsWithTheConnection() throws IOException {
    Read r = read("HTTP/1.1 200 OK\r\n\r\nuntil the close");
    assertEquals(ResponseHead.Framing.UNTIL_CLOSE, r.head().framing());
    assertFalse(r.head().keepAlive());
    assertEquals("until the close", r.body());
    assertTrue(r.complete());
    Read gzip = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz");
    assertEquals(ResponseHead.Framing.UNTIL_CLOSE, gzip.head().framing());
  }

  @Test
  void connectionFieldAndVersionDecideKeepAlive() throws IOException {
    assertFalse(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").head().keepAlive());
    assertTrue(
        read("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")
            .head()
            .keepAlive());
    assertFalse(
        read("HTTP/1.1 200 OK\r\nConnection: x, close\r\nContent-Length: 0\r\n\r\n")
            .head()
            .keepAlive());
  }

  @Test
  void aConnectionThatEndsEarlyIsAFailureNamingTheServer() {
    IOException e =
        assertThrows(
            IOException.class, () -> read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"));
    assertEquals(SERVER + " closed the connection 5 bytes short", e.getMessage());
    IOException chunked =
        assertThrows(
            IOException.class,
            () -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"));
    assertTrue(chunked.getMessage().startsWith(SERVER + " closed"), chunked.getMessage());
  }

  @Test
  void aHeadPastTheLimitIsRefused() {
    assertMalformed(
        "HTTP/1.1 200 OK\r\nX: " + "a".repeat(ResponseParser.MAX_HEAD) + "\r\n\r\n",
        "a head longer than " + ResponseParser.MAX_HEAD + " bytes");
  }

  @Test
  void theNextResponseOnTheConnectionIsReadAfterReset() throws IOException {
    ResponseParser parser = new ResponseParser(SERVER);
    ByteBuffer in =
        ByteBuffer.wrap(
            ("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
                .getBytes(StandardCharsets.US_ASCII));
    assertEquals(204, parser.head(in, false).status());
    assertTrue(parser.body(in, p -> {}));
    parser.reset();
    assertEquals(200, parser.head(in, false).status());
    assertTrue(parser.body(in, p -> {}));
    assertFalse(in.hasRemaining());
  }
}
