package mkv.client;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one HTTP/1.1 response parser of our clients (the IO-thread client, the gateway's volume
 * reads, bench): reads heads (RFC 9112), skipping interim 1xx answers, then bodies framed by {@code
 * Content-Length}, the chunked coding or the close. Bytes may arrive in any pieces: each call
 * consumes what it can from the buffer it is given and says when it needs more.
 *
 * <p>Anything malformed (a bad status line or number, a field without a name, two different
 * lengths, a head or chunk line past {@link #MAX_HEAD}) is a {@link ProtocolException} naming the
 * server, never an unchecked exception, so that a caller failing over to another replica on an
 * {@link IOException} does so here too. One instance per connection, {@link #reset} between
 * responses; not thread-safe.
 */
public final class ResponseParser {
  /** The largest head accepted (status line and fields), and the largest chunk line or trailer. */
  public static final int MAX_HEAD = 16 * 1024;

  /** Receives body bytes as they are decoded. */
  @FunctionalInterface
  public interface BodySink {
    /** {@code piece} is a view of the caller's buffer, valid only during the call. */
    void accept(ByteBuffer piece) throws IOException;
  }

  private enum State {
    HEAD,
    LENGTH,
    UNTIL_CLOSE,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILERS,
    DONE
  }

  private final String server;
  private State state = State.HEAD;
  private long left; // bytes of the body, or of the current chunk, still to come
  private int trailerBytes;

  /**
   * @param server what the errors name: the server this connection talks to ({@code host:port})
   */
  public ResponseParser(String server) {
    this.server = server;
  }

  /** Gets ready for the next response on the same connection. */
  public void reset() {
    state = State.HEAD;
    left = 0;
    trailerBytes = 0;
  }

  /**
   * Reads a response head from {@code in} (position to limit), skipping interim (1xx) ones.
   *
   * @param headRequest whether the request was a HEAD, whose answer has no body
   * @return the head, {@code in} then at its first body byte; null when the head is not all there
   *     yet (read more after the bytes {@code in} holds and call again)
   * @throws ProtocolException when the head is malformed or longer than {@link #MAX_HEAD}
   */
  public ResponseHead head(ByteBuffer in, boolean headRequest) throws ProtocolException {
    if (state != State.HEAD) {
      throw new IllegalStateException("the head was read already: reset() first");
    }
    while (true) {
      int end = headEnd(in);
      if (end < 0) {
        if (in.remaining() >= MAX_HEAD) {
          throw malformed("a head longer than " + MAX_HEAD + " bytes");
        }
        return null;
      }
      byte[] raw = new byte[end - in.position()];
      in.get(raw);
      ResponseHead head = parse(new String(raw, StandardCharsets.ISO_8859_1), headRequest);
      if (head != null) {
        start(head);
        return head;
      }
    }
  }

  private void start(ResponseHead head) {
    switch (head.framing()) {
      case NONE -> state = State.DONE;
      case LENGTH -> {
        left = head.contentLength();
        state = left == 0 ? State.DONE : State.LENGTH;
      }
      case CHUNKED -> state = State.CHUNK_SIZE;
      case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
    }
  }

  /**
   * Moves the body bytes {@code in} holds to {@code sink}.
   *
   * @return true once the body is complete, {@code in} then just past it; false when more is to
   *     come (for a body framed by the close, until {@link #endOfStream})
   * @throws ProtocolException when the chunked coding is malformed
   */
  public boolean body(ByteBuffer in, BodySink sink) throws IOException {
    while (true) {
      switch (state) {
        case HEAD -> throw new IllegalStateException("no head read yet");
        case DONE -> {
          return true;
        }
        case UNTIL_CLOSE -> {
          emit(in, in.remaining(), sink);
          return false;
        }
        case LENGTH, CHUNK_DATA -> {
          emit(in, (int) Math.min(left, in.remaining()), sink);
          if (left > 0) {
            return false;
          }
          state = state == State.LENGTH ? State.DONE : State.CHUNK_END;
        }
        case CHUNK_SIZE -> {
          String line = line(in, "chunk size line");
          if (line == null) {
            return false;
          }
          left = chunkSize(line);
          state = left == 0 ? State.TRAILERS : State.CHUNK_DATA;
        }
        case CHUNK_END -> {
          String line = line(in, "chunk");
          if (line == null) {
            return false;
          }
          if (!line.isEmpty()) {
            throw malformed("a chunk longer than its size line said");
          }
          state = State.CHUNK_SIZE;
        }
        case TRAILERS -> {
          int before = in.position();
          String line = line(in, "trailer field");
          if (line == null) {
            return false;
          }
          trailerBytes += in.position() - before;
          if (trailerBytes > MAX_HEAD) {
            throw malformed("trailer fields longer than " + MAX_HEAD + " bytes");
          }
          if (line.isEmpty()) {
            state = State.DONE; // the trailer fields are read and dropped: none of ours needs them
          }
        }
      }
    }
  }

  /**
   * The server closed the connection: that completes a body framed by the close.
   *
   * @throws IOException naming the server when the response was not complete
   */
  public void endOfStream() throws IOException {
    switch (state) {
      case UNTIL_CLOSE, DONE -> state = State.DONE;
      case HEAD -> throw new IOException(server + " closed the connection before the answer");
      case LENGTH ->
          throw new IOException(server + " closed the connection " + left + " bytes short");
      default -> throw new IOException(server + " closed the connection inside a chunked body");
    }
  }

  /** Whether the response is complete. */
  public boolean done() {
    return state == State.DONE;
  }

  private void emit(ByteBuffer in, int n, BodySink sink) throws IOException {
    if (n == 0) {
      return;
    }
    ByteBuffer piece = in.duplicate();
    piece.limit(in.position() + n);
    in.position(in.position() + n);
    left -= n;
    sink.accept(piece);
  }

  /** The index just past the empty line that ends a head, or -1 while it has not come. */
  private static int headEnd(ByteBuffer in) {
    int limit = in.limit();
    for (int i = in.position(); i + 1 < limit; i++) {
      if (in.get(i) != '\n') {
        continue;
      }
      // lines end with CRLF, or a bare LF (RFC 9112 2.2 lets a recipient accept one)
      if (in.get(i + 1) == '\n') {
        return i + 2;
      }
      if (in.get(i + 1) == '\r' && i + 2 < limit && in.get(i + 2) == '\n') {
        return i + 3;
      }
    }
    return -1;
  }

  /** The head of one response; null for an interim (1xx) one, which the final one follows. */
  private ResponseHead parse(String text, boolean headRequest) throws ProtocolException {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }
    String statusLine = lines.get(0);
    int status = status(statusLine);
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isEmpty()) {
        break; // the end of the head
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        // obs-fold (RFC 9112 5.2): a recipient replaces it with a space
        if (values.isEmpty()) {
          throw malformed("a folded line before any field: '" + clip(line) + "'");
        }
        int last = values.size() - 1;
        values.set(last, (values.get(last) + " " + line.strip()).strip());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line, colon)) {
        throw malformed("not a header field: '" + clip(line) + "'");
      }
      names.add(line.substring(0, colon));
      values.add(line.substring(colon + 1).strip());
    }
    if (status / 100 == 1) {
      if (status == 101) {
        throw malformed("101 Switching Protocols, which nothing asked for");
      }
      return null;
    }
    boolean http11 = statusLine.charAt(7) == '1';
    boolean keepAlive = http11;
    long length = -1;
    String codings = null;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String value = values.get(i);
      if (name.equalsIgnoreCase("Content-Length")) {
        length = contentLength(value, length);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        codings = codings == null ? value : codings + "," + value;
      } else if (name.equalsIgnoreCase("Connection")) {
        for (String option : value.split(",")) {
          String o = option.strip();
          if (o.equalsIgnoreCase("close")) {
            keepAlive = false;
          } else if (o.equalsIgnoreCase("keep-alive") && !http11) {
            keepAlive = true;
          }
        }
      }
    }
    ResponseHead.Framing framing;
    if (headRequest || status == 204 || status == 304) {
      framing = ResponseHead.Framing.NONE;
    } else if (codings != null && !codings.strip().equalsIgnoreCase("identity")) {
      if (length >= 0) {
        // RFC 9112 6.3: a smuggling attempt or a broken server; never guess which length is real
        throw malformed("both Transfer-Encoding and Content-Length");
      }
      if (chunked(codings)) {
        framing = ResponseHead.Framing.CHUNKED;
      } else {
        framing = ResponseHead.Framing.UNTIL_CLOSE;
        keepAlive = false;
      }
    } else if (length >= 0) {
      framing = ResponseHead.Framing.LENGTH;
    } else {
      framing = ResponseHead.Framing.UNTIL_CLOSE;
      keepAlive = false;
    }
    return new ResponseHead(
        status, keepAlive, framing, length, List.copyOf(names), List.copyOf(values));
  }

  /** {@code HTTP/1.x NNN[ reason]}: the status, 100 to 599. */
  private int status(String line) throws ProtocolException {
    if (line.length() < 12
        || !line.startsWith("HTTP/1.")
        || (line.charAt(7) != '0' && line.charAt(7) != '1')
        || line.charAt(8) != ' '
        || (line.length() > 12 && line.charAt(12) != ' ')) {
      throw malformed("not an HTTP/1.x status line: '" + clip(line) + "'");
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        throw malformed("not a status code: '" + clip(line) + "'");
      }
      status = status * 10 + (c - '0');
    }
    if (status < 100 || status > 599) {
      throw malformed("status " + status + " out of range");
    }
    return status;
  }

  /**
   * One {@code Content-Length} field (a list of equal values is allowed, RFC 9110 8.6), given the
   * length an earlier one said (-1 if none); several that differ are an error.
   */
  private long contentLength(String value, long earlier) throws ProtocolException {
    long length = earlier;
    for (String part : value.split(",", -1)) {
      long n = decimal(part.strip());
      if (n < 0) {
        throw malformed("bad Content-Length '" + clip(value) + "'");
      }
      if (length >= 0 && length != n) {
        throw malformed("Content-Lengths " + length + " and " + n + " differ");
      }
      length = n;
    }
    return length;
  }

  /** Whether the last transfer coding is chunked; chunked anywhere else is an error. */
  private boolean chunked(String codings) throws ProtocolException {
    String[] list = codings.split(",");
    for (int i = 0; i < list.length; i++) {
      String coding = list[i].strip().toLowerCase(Locale.ROOT);
      if (coding.equals("chunked") && i < list.length - 1) {
        throw malformed("chunked is not the last transfer coding in '" + clip(codings) + "'");
      }
    }
    return list[list.length - 1].strip().equalsIgnoreCase("chunked");
  }

  /** A chunk size line: hex digits, then perhaps {@code ;extensions}. */
  private long chunkSize(String line) throws ProtocolException {
    int semicolon = line.indexOf(';');
    String hex = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
    if (hex.isEmpty() || hex.length() > 15) { // 15 hex digits: far past any value, no overflow
      throw malformed("bad chunk size '" + clip(line) + "'");
    }
    long size = 0;
    for (int i = 0; i < hex.length(); i++) {
      int digit = Character.digit(hex.charAt(i), 16);
      if (digit < 0) {
        throw malformed("bad chunk size '" + clip(line) + "'");
      }
      size = size * 16 + digit;
    }
    return size;
  }

  /**
   * The next line in {@code in}, without its end; null (nothing consumed) until it is all there.
   */
  private String line(ByteBuffer in, String what) throws ProtocolException {
    for (int i = in.position(); i < in.limit(); i++) {
      if (in.get(i) == '\n') {
        byte[] raw = new byte[i - in.position()];
        in.get(raw);
        in.get(); // the LF
        int n = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        return new String(raw, 0, n, StandardCharsets.ISO_8859_1);
      }
    }
    if (in.remaining() >= MAX_HEAD) {
      throw malformed("a " + what + " longer than " + MAX_HEAD + " bytes");
    }
    return null;
  }

  /** A non-negative decimal of at most 18 digits, or -1. */
  private static long decimal(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** Whether {@code line}'s first {@code end} characters are an HTTP token (a field name). */
  private static boolean isToken(String line, int end) {
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      boolean ok =
          c > ' ' && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0; // RFC 9110 5.6.2 tchar
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private ProtocolException malformed(String what) {
    return new ProtocolException(server + " sent a malformed response: " + what);
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
