package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.time.Duration;
import java.util.List;
import mkv.client.SourceException;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.Written;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.sync.GroupCommit;

/**
 * PUT of a large or chunked value (and every overwrite of a live key), streamed to every replica in
 * parallel through a worker thread: the master never holds the value, so its memory does not grow
 * with the value's size.
 */
final class StreamedPutHandler {
  private final KeyWriter writer;
  private final KeyLocks locks;
  private final VolumeClient client;
  private final VolumeHealth health;
  private final GroupCommit commit;
  private final int minReplicas;
  private final Duration stallTimeout;

  StreamedPutHandler(
      KeyWriter writer,
      KeyLocks locks,
      VolumeClient client,
      VolumeHealth health,
      GroupCommit commit,
      int minReplicas,
      Duration stallTimeout) {
    this.writer = writer;
    this.locks = locks;
    this.client = client;
    this.health = health;
    this.commit = commit;
    this.minReplicas = minReplicas;
    this.stallTimeout = stallTimeout;
  }

  /** Called on a worker thread. */
  void handle(HttpServerExchange exchange, String key) throws IOException {
    handle(exchange, PutRequest.of(exchange, key));
  }

  /** Called on a worker thread. */
  void handle(HttpServerExchange exchange, PutRequest request) throws IOException {
    long length = request.length();
    if (length == 0 && !request.empty()) {
      throw new HttpError(
          ErrorCode.NO_BODY, "empty body: a value needs at least one byte (or Mkv-Empty: 1)");
    }
    InputStream body =
        length == 0
            ? InputStream.nullInputStream()
            : request.empty()
                ? new BodyStream(exchange, stallTimeout)
                : nonEmpty(new BodyStream(exchange, stallTimeout));
    KeyWriter.Write w = writer.begin(request, locks.take(request.key(), stallTimeout));
    String path = request.path();
    Written written;
    try (KeyLocks.Held held = w.held()) {
      try {
        written =
            client.putAll(
                w.targets(),
                path,
                body,
                length,
                writer.keepsMd5() || request.expectedMd5() != null,
                minReplicas);
        request.checkMd5(written.md5());
      } catch (IOException | RuntimeException e) {
        if (e instanceof VolumeException v) {
          health.failed(v);
        }
        writer.failed(w, client.deleteAll(w.targets(), path));
        throw e;
      }
      writer.live(w, written.size(), written.md5(), written.failed());
      List<String> stale = writer.staleReplicas(w);
      if (!stale.isEmpty()) {
        KeyWriter.staleNotRemoved(request.key(), client.deleteAll(stale, path));
      }
      commit.awaitWrite();
    }
    if (w.staged()) {
      writer.settle(w);
    }
    KeyWriter.created(exchange, written.md5());
  }

  /**
   * Reads ahead one byte so that an empty chunked body is refused before any volume is touched; a
   * body that does not start is the client's failure (400), like one that stops later.
   */
  private static InputStream nonEmpty(InputStream in) throws IOException {
    PushbackInputStream peek = new PushbackInputStream(in, 1);
    int first;
    try {
      first = peek.read();
    } catch (IOException e) {
      throw new SourceException("reading the body failed: " + e.getMessage(), e);
    }
    if (first < 0) {
      throw new HttpError(ErrorCode.NO_BODY, "empty body: a value needs at least one byte");
    }
    peek.unread(first);
    return peek;
  }
}
