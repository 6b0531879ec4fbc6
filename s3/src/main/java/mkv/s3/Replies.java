package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import mkv.s3.xml.Xml;

/** Small helpers for answers: the request id, XML bodies, S3's date formats. */
final class Replies {
  static final HttpString REQUEST_ID = new HttpString("x-amz-request-id");
  static final HttpString ID_2 = new HttpString("x-amz-id-2");
  static final HttpString ETAG = new HttpString("ETag");
  private static final AttachmentKey<String> ID = AttachmentKey.create(String.class);
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Replies() {}

  /** Gives the exchange its request id (16 hex digits), in the headers S3 uses. */
  static void identify(HttpServerExchange exchange) {
    String id =
        Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE).toUpperCase();
    exchange.putAttachment(ID, id);
    exchange.getResponseHeaders().put(REQUEST_ID, id);
    exchange.getResponseHeaders().put(ID_2, id);
  }

  static String requestId(HttpServerExchange exchange) {
    String id = exchange.getAttachment(ID);
    return id == null ? "0" : id;
  }

  static void xml(HttpServerExchange exchange, int status, byte[] doc) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, Xml.CONTENT_TYPE);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, doc.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(doc));
  }

  static void empty(HttpServerExchange exchange, int status) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
    exchange.endExchange();
  }

  /** S3's timestamps in XML: {@code 2026-12-02T14:30:47.123Z}. */
  static String iso(long millis) {
    return ISO.format(Instant.ofEpochMilli(millis));
  }

  /** An ETag as S3 quotes it. */
  static String etag(String md5) {
    return "\"" + md5 + "\"";
  }
}
