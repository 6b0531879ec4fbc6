package mkv.volume;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;
import mkv.http.ByteRange;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import org.xnio.IoUtils;

/** GET and HEAD of one file, with single byte ranges; the body goes out with sendfile. */
final class ReadHandler implements HttpHandler {

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    SafePath path = exchange.getAttachment(VolumeHandler.PATH);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path.file(), BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new HttpError(ErrorCode.NOT_FOUND, "not found");
    }
    if (!attrs.isRegularFile()) {
      // a directory asked for without its trailing slash is not a blob
      throw new HttpError(ErrorCode.NOT_FOUND, "not found");
    }
    FileChannel file = FileChannel.open(path.file(), StandardOpenOption.READ);
    try {
      long size = file.size(); // of the file we opened, which a concurrent rename cannot change
      var headers = exchange.getResponseHeaders();
      headers.put(Headers.CONTENT_TYPE, "application/octet-stream");
      headers.put(
          Headers.LAST_MODIFIED,
          DateUtils.toDateString(new Date(attrs.lastModifiedTime().toMillis())));
      headers.put(Headers.ACCEPT_RANGES, "bytes");
      long start = 0;
      long count = size;
      ByteRange range = ByteRange.parse(exchange.getRequestHeaders().getFirst(Headers.RANGE), size);
      if (range == ByteRange.UNSATISFIABLE) {
        headers.put(Headers.CONTENT_RANGE, "bytes */" + size);
        throw new HttpError(ErrorCode.BAD_RANGE, "range not satisfiable");
      }
      if (range != null) {
        start = range.start();
        count = range.length();
        exchange.setStatusCode(206);
        headers.put(Headers.CONTENT_RANGE, range.contentRange(size));
      }
      exchange.setResponseContentLength(count);
      if (exchange.getRequestMethod().equals(Methods.HEAD) || count == 0) {
        exchange.endExchange();
        return;
      }
      FileTransfer.start(exchange, file, start, count, path.display());
      file = null; // the transfer owns it now
    } finally {
      IoUtils.safeClose(file);
    }
  }
}
