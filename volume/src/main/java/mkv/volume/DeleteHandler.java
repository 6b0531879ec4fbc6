package mkv.volume;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/**
 * DELETE of one file, on the IO thread (one unlink); empty parent directories stay (a later PUT
 * reuses them).
 */
final class DeleteHandler implements HttpHandler {
  private final Fence fence;

  DeleteHandler(Fence fence) {
    this.fence = fence;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws IOException {
    SafePath path = exchange.getAttachment(VolumeHandler.PATH);
    if (path.directory()) {
      throw new HttpError(ErrorCode.BAD_PATH, "cannot DELETE a directory");
    }
    Fence.Token token = fence.admit(exchange);
    try {
      var attrs =
          Files.readAttributes(path.file(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attrs.isDirectory()) {
        throw new HttpError(ErrorCode.NOT_FOUND, "not found");
      }
      fence.guard(
          token,
          () -> {
            Files.delete(path.file());
            return null;
          });
    } catch (NoSuchFileException e) {
      throw new HttpError(ErrorCode.NOT_FOUND, "not found");
    }
    // Not fsynced: the master records the delete durably (DELETING) before asking, so an unlink a
    // machine crash undoes brings back an orphan copy no record serves, which verify --repair
    // removes.
    exchange.setStatusCode(204);
    exchange.endExchange();
  }
}
