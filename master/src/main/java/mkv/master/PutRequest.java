package mkv.master;

import io.undertow.server.HttpServerExchange;
import mkv.http.ContentMd5;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.index.Record;
import mkv.layout.KeyPath;

/**
 * What a PUT asks for, checked before anything is written: the key and its path on a volume, the
 * announced length and md5, and the headers of writers that speak S3 semantics (the S3 gateway):
 * {@code Mkv-Meta} is kept in the record and returned with reads; {@code Mkv-Empty: 1} allows an
 * empty value; {@code Mkv-Overwrite: 1} replaces a live key.
 *
 * @param length the announced body length, -1 when chunked
 * @param expectedMd5 the client's Content-MD5 in lowercase hex, or null
 */
record PutRequest(
    String key,
    String path,
    long length,
    String expectedMd5,
    String meta,
    boolean overwrite,
    boolean empty) {

  /**
   * Whether the body is announced and small enough ({@link Protocol#SMALL_BODY}) to be received
   * whole, and written without leaving the IO thread.
   */
  static boolean isSmall(HttpServerExchange exchange) {
    long length = exchange.getRequestContentLength();
    return length > 0 && length <= Protocol.SMALL_BODY;
  }

  /**
   * The PUT of {@code key} on {@code exchange}.
   *
   * @throws HttpError 400 for a reserved, empty or malformed request, 414 for a key too long
   */
  static PutRequest of(HttpServerExchange exchange, String key) {
    String path = pathOf(key);
    var h = exchange.getRequestHeaders();
    String expectedMd5 = ContentMd5.parse(h.getFirst(Protocol.CONTENT_MD5));
    String meta = h.getFirst(Protocol.META);
    if (meta != null && !Record.validMeta(meta)) {
      throw new HttpError(
          ErrorCode.BAD_META,
          "Mkv-Meta must be 1 to "
              + Record.MAX_META
              + " printable ASCII characters without spaces");
    }
    return new PutRequest(
        key,
        path,
        exchange.getRequestContentLength(),
        expectedMd5,
        meta,
        "1".equals(h.getFirst(Protocol.OVERWRITE)),
        "1".equals(h.getFirst(Protocol.EMPTY)));
  }

  /** The key's path on a volume, once the key is one that can be stored. */
  private static String pathOf(String key) {
    if (key.length() <= 1) {
      throw new HttpError(ErrorCode.BAD_KEY, "empty key: PUT needs a path such as /name");
    }
    if (Protocol.isReserved(key)) {
      throw new HttpError(
          ErrorCode.RESERVED_KEY, "key " + key + " is reserved for the master's own use");
    }
    String path = KeyPath.of(key);
    if (!KeyPath.fits(path)) {
      throw new HttpError(
          ErrorCode.TOO_LONG,
          "key too long: its file name on a volume would exceed "
              + KeyPath.MAX_SEGMENT_BYTES
              + " bytes");
    }
    return path;
  }

  /**
   * Throws {@code bad-digest} when the body's md5 is not the one the client announced; nothing has
   * been stored.
   */
  void checkMd5(String actualHex) {
    ContentMd5.check(expectedMd5, actualHex);
  }
}
