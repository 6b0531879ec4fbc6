package mkv.volume;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/**
 * GET of a directory (path ends in '/') in the format of nginx 1.22 {@code autoindex_format json},
 * so the master can list a stock nginx volume and ours alike. Streamed entry by entry in directory
 * order (nginx sorts: directories first, then by name; clients must not rely on order).
 */
final class ListHandler implements HttpHandler {

  /** nginx's ngx_http_time: RFC 1123 with a two-digit day, always GMT. */
  static final DateTimeFormatter MTIME =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    Path dir = exchange.getAttachment(VolumeHandler.PATH).file();
    try {
      if (!Files.readAttributes(dir, BasicFileAttributes.class).isDirectory()) {
        throw new HttpError(ErrorCode.NOT_FOUND, "not found");
      }
    } catch (NoSuchFileException e) {
      throw new HttpError(ErrorCode.NOT_FOUND, "not found");
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
      return;
    }
    exchange.startBlocking();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir);
        Writer out =
            new BufferedWriter(
                new OutputStreamWriter(exchange.getOutputStream(), StandardCharsets.UTF_8),
                16 * 1024)) {
      // byte for byte nginx's ngx_http_autoindex_json: CRLF line ends, "[\r\n]" when empty
      out.write("[\r\n");
      boolean first = true;
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith(".")) {
          continue; // hidden, as nginx does; this also hides .tmp
        }
        BasicFileAttributes attrs;
        try {
          attrs =
              Files.readAttributes(
                  entry, BasicFileAttributes.class); // follows links, like nginx's stat
        } catch (NoSuchFileException e) {
          continue; // deleted while we list
        }
        if (!first) {
          out.write(",\r\n");
        }
        first = false;
        out.write("{ \"name\":\"");
        escape(name, out);
        out.write("\", \"type\":\"");
        out.write(attrs.isDirectory() ? "directory" : attrs.isRegularFile() ? "file" : "other");
        out.write("\", \"mtime\":\"");
        out.write(MTIME.format(Instant.ofEpochMilli(attrs.lastModifiedTime().toMillis())));
        if (attrs.isRegularFile()) {
          out.write("\", \"size\":");
          out.write(Long.toString(attrs.size()));
          out.write(" }");
        } else {
          out.write("\" }");
        }
      }
      out.write(first ? "]" : "\r\n]");
    }
    exchange.endExchange();
  }

  /**
   * nginx's ngx_escape_json: backslash-escape '"' and '\', control characters as lower-case
   * \\u00xx.
   */
  static void escape(String s, Writer out) throws IOException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.write('\\');
        out.write(c);
      } else if (c < 0x20) {
        out.write("\\u00");
        out.write(Character.forDigit(c >> 4, 16));
        out.write(Character.forDigit(c & 0xf, 16));
      } else {
        out.write(c);
      }
    }
  }
}
