package mkv.master;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.index.Index;
import mkv.index.Record;

/**
 * {@code GET /prefix?list} and {@code ?unlinked}: keys in byte order as {@code {"next": "...",
 * "keys": [...]}}. With {@code &detail} (for the S3 gateway's listings), {@code "entries"} replaces
 * {@code "keys"}: {@code [{"key", "size", "md5", "created", "meta"}]}.
 *
 * <p>With a limit, one page is gathered (so {@code next} can come first); without one, the keys are
 * streamed straight from the index, so ten million keys cost no more memory than ten.
 */
final class ListHandler {
  static final int MAX_LIMIT = 100_000;
  private static final JsonFactory JSON = new JsonFactory();

  private final Index index;

  ListHandler(Index index) {
    this.index = index;
  }

  void handle(HttpServerExchange exchange, KeyRequest request) throws IOException {
    boolean unlinked = request.has("unlinked");
    boolean detail = request.has("detail");
    int limit = limit(request.query().get("limit"));
    String start = request.query().get("start");
    exchange.startBlocking();
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    try (Index.Scan scan =
        index.scan(request.key(), start == null || start.isEmpty() ? null : start)) {
      if (limit > 0) {
        List<Index.Entry> keys = new ArrayList<>();
        String next = "";
        while (scan.hasNext()) {
          Index.Entry e = scan.next();
          if (!wanted(e.record(), unlinked)) {
            continue;
          }
          if (keys.size() == limit) {
            next = e.key();
            break;
          }
          keys.add(e);
        }
        try (JsonGenerator json = JSON.createGenerator(exchange.getOutputStream())) {
          json.writeStartObject();
          json.writeStringField("next", next);
          json.writeArrayFieldStart(detail ? "entries" : "keys");
          for (Index.Entry k : keys) {
            write(json, k, detail);
          }
          json.writeEndArray();
          json.writeEndObject();
        }
      } else {
        try (JsonGenerator json = JSON.createGenerator(exchange.getOutputStream())) {
          json.writeStartObject();
          json.writeStringField("next", ""); // everything follows
          json.writeArrayFieldStart(detail ? "entries" : "keys");
          while (scan.hasNext()) {
            Index.Entry e = scan.next();
            if (wanted(e.record(), unlinked)) {
              write(json, e, detail);
            }
          }
          json.writeEndArray();
          json.writeEndObject();
        }
      }
    }
  }

  private static void write(JsonGenerator json, Index.Entry e, boolean detail) throws IOException {
    if (!detail) {
      json.writeString(e.key());
      return;
    }
    Record r = e.record();
    json.writeStartObject();
    json.writeStringField("key", e.key());
    json.writeNumberField("size", r.size());
    if (r.md5() != null) {
      json.writeStringField("md5", r.md5());
    }
    json.writeNumberField("created", r.created());
    if (r.meta() != null) {
      json.writeStringField("meta", r.meta());
    }
    json.writeEndObject();
  }

  private static boolean wanted(Record record, boolean unlinked) {
    return unlinked ? record.isUnlinked() : record.isLive();
  }

  /** The page size, 0 for no limit. */
  private static int limit(String value) {
    if (value == null) {
      return 0;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException notANumber) {
      // answered below
    }
    throw new HttpError(
        ErrorCode.BAD_PARAMETER,
        "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + value + "'");
  }
}
