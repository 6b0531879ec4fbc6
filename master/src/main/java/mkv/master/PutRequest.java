package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import mkv.http.HttpError;
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

  /** Bodies up to this size are received whole, and written without leaving the IO thread. */
  static final long SMALL = 128 * 1024;

  static final HttpString META = new HttpString("Mkv-Meta");
  static final HttpString OVERWRITE = new HttpString("Mkv-Overwrite");
  static final HttpString EMPTY = new HttpString("Mkv-Empty");

  /** Whether the body is announced and small enough to be received whole. */
  static boolean isSmall(HttpServerExchange exchange) {
    long length = exchange.getRequestContentLength();
    return length > 0 && length <= SMALL;
  }

  /**
   * The PUT of {@code key} on {@code exchange}.
   *
   * @throws HttpError 400 for a reserved, empty or malformed request, 414 for a key too long
   */
  static PutRequest of(HttpServerExchange exchange, String key) {
    String path = pathOf(key);
    var h = exchange.getRequestHeaders();
    String expectedMd5 = ContentMd5.parse(h.getFirst("Content-MD5"));
    String meta = h.getFirst(META);
    if (meta != null && !Record.validMeta(meta)) {
      throw new HttpError(
          400,
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
        "1".equals(h.getFirst(OVERWRITE)),
        "1".equals(h.getFirst(EMPTY)));
  }

  /** The key's path on a volume, once the key is one that can be stored. */
  private static String pathOf(String key) {
    if (key.length() <= 1) {
      throw new HttpError(400, "empty key: PUT needs a path such as /name");
    }
    if (MasterRouter.isReserved(key)) {
      throw new HttpError(400, "key " + key + " is reserved for the master's own use");
    }
    String path = KeyPath.of(key);
    if (!KeyPath.fits(path)) {
      throw new HttpError(
          414,
          "key too long: its file name on a volume would exceed "
              + KeyPath.MAX_SEGMENT_BYTES
              + " bytes");
    }
    return path;
  }

  /**
   * Throws 400 when the body's md5 is not the one the client announced; nothing has been stored.
   */
  void checkMd5(String actualHex) {
    if (expectedMd5 != null && !expectedMd5.equals(actualHex)) {
      throw new HttpError(
          400, "the body's md5 " + actualHex + " does not match Content-MD5 " + expectedMd5);
    }
  }
}
