package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import mkv.client.AsyncClient;
import mkv.client.VolumeException;
import mkv.http.Blocking;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.sync.GroupCommit;

/**
 * PUT of a value of known length up to {@link Protocol#SMALL_BODY}, on the IO thread from start to
 * answer: received whole, sent to the replicas with {@link AsyncClient} on the same thread, and
 * answered from it once the index flush says so; no thread waits anywhere. An overwrite of a live
 * key (staged, switched and settled) is worth a worker thread: it goes to {@link
 * StreamedPutHandler}.
 */
final class SmallPutHandler {
  private final Index index;
  private final KeyWriter writer;
  private final KeyLocks locks;
  private final AsyncClient async;
  private final GroupCommit commit;
  private final StreamedPutHandler streamed;
  private final Duration stallTimeout;

  SmallPutHandler(
      Index index,
      KeyWriter writer,
      KeyLocks locks,
      AsyncClient async,
      GroupCommit commit,
      StreamedPutHandler streamed,
      Duration stallTimeout) {
    this.index = index;
    this.writer = writer;
    this.locks = locks;
    this.async = async;
    this.commit = commit;
    this.streamed = streamed;
    this.stallTimeout = stallTimeout;
  }

  /** Called on the IO thread for a body {@link PutRequest#isSmall}. */
  void handle(HttpServerExchange exchange, String key) {
    PutRequest request = PutRequest.of(exchange, key);
    if (request.overwrite()) {
      Record old = index.get(key);
      if (old != null && old.isLive()) {
        Blocking.run(exchange, x -> streamed.handle(x, request), Failures::answer);
        return;
      }
    }
    SmallBody.receive(exchange, stallTimeout, body -> replicate(exchange, request, body));
  }

  private void replicate(HttpServerExchange exchange, PutRequest request, byte[] body) {
    String hex =
        writer.keepsMd5() || request.expectedMd5() != null
            ? HexFormat.of().formatHex(KeyPath.md5(body))
            : null;
    request.checkMd5(hex);
    String key = request.key();
    KeyLocks.Held held =
        locks.takeOnIoThread(exchange, key, () -> replicate(exchange, request, body));
    if (held == null) {
      return; // a move holds the key: tried again when it is done
    }
    Record current = index.get(key);
    if (current != null && current.isLive() && request.overwrite()) {
      held.close();
      throw new HttpError(ErrorCode.KEY_BUSY, "the key was written meanwhile; retry the overwrite");
    }
    KeyWriter.Write w = writer.begin(request, held);
    // From here the answer comes from a callback: keep the exchange open past this call.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            async.putAll(
                exchange.getIoThread(),
                w.targets(),
                request.path(),
                body,
                failed -> {
                  try {
                    replicated(exchange, w, body.length, hex, failed);
                  } catch (RuntimeException e) {
                    w.held().close();
                    Failures.answer(exchange, e);
                  }
                }));
  }

  private void replicated(
      HttpServerExchange exchange,
      KeyWriter.Write w,
      long size,
      String hex,
      List<VolumeException> failed) {
    String path = w.request().path();
    if (!writer.enough(w, failed)) {
      async.deleteAll(
          exchange.getIoThread(),
          w.targets(),
          path,
          leftovers -> {
            writer.failed(w, leftovers);
            w.held().close();
            Failures.answer(exchange, failed.get(0));
          });
      return;
    }
    writer.live(w, size, hex, failed);
    List<String> stale = writer.staleReplicas(w);
    if (!stale.isEmpty()) {
      async.deleteAll(
          exchange.getIoThread(), stale, path, f -> KeyWriter.staleNotRemoved(w.key(), f));
    }
    commit.afterWrite(
        () ->
            MasterRouter.onIoThread(
                exchange,
                () -> {
                  w.held().close();
                  KeyWriter.created(exchange, hex);
                }),
        e ->
            MasterRouter.onIoThread(
                exchange,
                () -> {
                  w.held().close();
                  Failures.answer(
                      exchange,
                      new IOException(
                          "index flush failed, the write may not survive a crash: "
                              + e.getMessage(),
                          e));
                }));
  }
}
