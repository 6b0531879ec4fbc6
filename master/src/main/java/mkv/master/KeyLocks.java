package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/**
 * At most one write, delete or move of a key at a time. A request that finds another request's hold
 * is refused (409), not queued; one that finds a move's hold waits for it, since a move is the
 * master's own background work and must never make a client's request fail.
 */
final class KeyLocks {
  private final ConcurrentHashMap<String, Hold> held = new ConcurrentHashMap<>();

  /** A held key; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  private final class Hold implements Held {
    final String key;
    final boolean move;
    final CompletableFuture<Void> released = new CompletableFuture<>();

    Hold(String key, boolean move) {
      this.key = key;
      this.move = move;
    }

    @Override
    public void close() {
      if (held.remove(key, this)) {
        released.complete(null);
      }
    }
  }

  /**
   * Takes the key for a handler running on {@code exchange}'s IO thread, which must not block. When
   * a move holds the key, returns null and keeps the exchange open; once the move has released the
   * key, {@code again} runs on that IO thread (it tries again; a failure there is answered).
   *
   * @throws HttpError 409 when another request holds it
   */
  Held takeOnIoThread(HttpServerExchange exchange, String key, Runnable again) {
    Hold mine = new Hold(key, false);
    Hold move = claim(mine);
    if (move == null) {
      return mine;
    }
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {}); // answered when the move is done
    move.released.thenRun(
        () ->
            exchange
                .getIoThread()
                .execute(
                    () -> {
                      try {
                        again.run();
                      } catch (RuntimeException e) {
                        Failures.answer(exchange, e);
                      }
                    }));
    return null;
  }

  /**
   * Takes the key for a request on a thread that may block, waiting up to {@code wait} for a move
   * that holds it.
   *
   * @throws HttpError 409 when another request holds it, 503 when a move held it too long
   */
  Held take(String key, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Hold mine = new Hold(key, false);
      Hold move = claim(mine);
      if (move == null) {
        return mine;
      }
      try {
        move.released.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new HttpError(
            ErrorCode.KEY_MOVING, "the key is being moved to another volume; retry shortly");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HttpError(ErrorCode.KEY_MOVING, "interrupted waiting for the key to be moved");
      } catch (ExecutionException e) {
        throw new IllegalStateException(e); // never completed exceptionally
      }
    }
  }

  /** Takes the key for the master's own work on it (a clean-up) if free; null otherwise. */
  Held tryTake(String key) {
    Hold mine = new Hold(key, false);
    return held.putIfAbsent(key, mine) == null ? mine : null;
  }

  /**
   * Takes the key for a move if free (requests that come meanwhile wait for it); null otherwise.
   */
  Held tryTakeForMove(String key) {
    Hold mine = new Hold(key, true);
    return held.putIfAbsent(key, mine) == null ? mine : null;
  }

  /**
   * Takes the key for {@code mine}: null when taken, else the move that holds it.
   *
   * @throws HttpError 409 when another request holds it
   */
  private Hold claim(Hold mine) {
    Hold other = held.putIfAbsent(mine.key, mine);
    if (other != null && !other.move) {
      throw new HttpError(ErrorCode.KEY_BUSY, "a write or delete of this key is in progress");
    }
    return other;
  }
}
