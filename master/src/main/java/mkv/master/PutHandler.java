package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import mkv.client.AsyncClient;
import mkv.client.SourceException;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.Written;
import mkv.http.Blocking;
import mkv.http.ContentMd5;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.sync.GroupCommit;

/**
 * PUT of a key: sends the body to every replica in parallel, then commits the record.
 *
 * <p>Write ordering makes a crash at any point safe: the record is written PENDING (never served)
 * before any volume is touched, and turned LIVE only after every replica has the value as durably
 * as {@code --sync} asks; the 201 waits for the index flush that covers the LIVE record. A failed
 * write removes its copies and leaves its record PENDING (never served) for {@link PendingSweeper},
 * which removes the copies once more after a volume still finishing the write is done, then the
 * record. A write of a key being moved ({@link Rebalancer}) waits for the move.
 *
 * <p>A value of known length up to {@link Protocol#SMALL_BODY} is handled on the IO thread from
 * start to answer ({@link #handleSmall}): received whole, sent to the replicas with {@link
 * AsyncClient} on the same thread, and answered from it once the index flush says so; no thread
 * waits anywhere. A larger or chunked body is streamed through a worker thread ({@link #handle}),
 * the master never holding it.
 *
 * <p>Three request headers, for writers that speak S3 semantics (the S3 gateway): {@code Mkv-Meta}
 * is kept in the record and returned with reads; {@code Mkv-Empty: 1} allows an empty value; {@code
 * Mkv-Overwrite: 1} replaces a live key. An overwrite never touches the copies being served: the
 * new value is written to a staging folder on the volumes ({@link Placement#staged}), noted as
 * leaving in the old record first (so a crash leaves it to be deleted, never served), and the
 * record then switches to the staged copies in one index write, the old copies now leaving. Readers
 * see the old value or the new one, whole, and the old stays on its volumes until the new one is as
 * durable as {@code --sync} says. {@link Rebalancer#settle} then moves the value home, like any
 * move.
 */
final class PutHandler {
  private static final Logger LOG = Logger.getLogger(PutHandler.class.getName());

  private final Index index;
  private final GroupCommit commit;
  private final CurrentPlacement placement;
  private final VolumeClient client;
  private final AsyncClient async;
  private final VolumeHealth health;
  private final KeyLocks locks;
  private final PendingSweeper sweeper;
  private final Rebalancer settler;
  private final boolean md5;
  private final int minReplicas;
  private final Duration stallTimeout;

  PutHandler(
      Index index,
      GroupCommit commit,
      CurrentPlacement placement,
      VolumeClient client,
      AsyncClient async,
      VolumeHealth health,
      KeyLocks locks,
      PendingSweeper sweeper,
      Rebalancer settler,
      boolean md5,
      int minReplicas,
      Duration stallTimeout) {
    this.settler = settler;
    this.index = index;
    this.commit = commit;
    this.placement = placement;
    this.client = client;
    this.async = async;
    this.health = health;
    this.locks = locks;
    this.sweeper = sweeper;
    this.md5 = md5;
    this.minReplicas = minReplicas;
    this.stallTimeout = stallTimeout;
  }

  /** Whether the body is announced and small enough for {@link #handleSmall}. */
  static boolean isSmall(HttpServerExchange exchange) {
    long length = exchange.getRequestContentLength();
    return length > 0 && length <= Protocol.SMALL_BODY;
  }

  /** What the writer asked beyond minikeyvalue's PUT (the request headers above). */
  private record Options(String meta, boolean overwrite, boolean empty) {
    static Options of(HttpServerExchange exchange) {
      var h = exchange.getRequestHeaders();
      String meta = h.getFirst(Protocol.META);
      if (meta != null && !Record.validMeta(meta)) {
        throw new HttpError(
            ErrorCode.BAD_META,
            "Mkv-Meta must be 1 to "
                + Record.MAX_META
                + " printable ASCII characters "
                + "without spaces");
      }
      return new Options(
          meta, "1".equals(h.getFirst(Protocol.OVERWRITE)), "1".equals(h.getFirst(Protocol.EMPTY)));
    }
  }

  /**
   * The key's path on a volume, once the key is one that can be stored; throws HttpError if not.
   */
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
   * Starts a write under a key already held: a PENDING record, or for an overwrite of a live key
   * the old record with the staged copies noted as leaving. The caller releases the key. Refuses a
   * live key (403) unless {@code options.overwrite()}.
   */
  private Pending begin(
      String key, KeyLocks.Held held, long length, String expectedMd5, Options options) {
    try {
      Record old = index.get(key);
      boolean staged = old != null && old.isLive();
      if (staged && !options.overwrite()) {
        throw new HttpError(
            ErrorCode.KEY_EXISTS, "key exists: DELETE it (or UNLINK it) before writing it again");
      }
      return placement.beginWrite(
          () -> {
            Placement now = placement.effective();
            List<String> wanted = now.replicasFor(key);
            long created = System.currentTimeMillis();
            if (staged) {
              List<String> replicas = Placement.staged(wanted, old.replicas());
              List<String> targets = targets(replicas);
              // Not synced: if a crash loses it, the staged copies are orphans in a folder verify
              // walks.
              List<String> leaving = new ArrayList<>(old.leaving());
              replicas.stream().filter(r -> !leaving.contains(r)).forEach(leaving::add);
              index.put(key, old.withLeaving(leaving), false);
              return new Pending(
                  key, held, old, replicas, targets, created, null, options.meta(), true);
            }
            List<String> targets = targets(wanted);
            // Not synced: if a crash loses it, the copies it covered are orphans that no record
            // serves.
            // Size and md5, when the client gave them, let a restart complete the write instead of
            // rolling back.
            Record pending =
                Record.pending(wanted, created)
                    .withSize(length)
                    .withMd5(expectedMd5)
                    .withMeta(options.meta());
            index.put(key, pending.placedBy(now.fingerprint()), false);
            return new Pending(
                key, held, old, wanted, targets, created, now.fingerprint(), options.meta(), false);
          });
    } catch (RuntimeException e) {
      held.close();
      throw e;
    }
  }

  /**
   * The replicas a write goes to: those not believed down, which it skips (recording them as
   * missing) rather than wait for; throws a 503 at once when they cannot take the write by
   * themselves.
   */
  private List<String> targets(List<String> replicas) {
    List<String> up = replicas.stream().filter(health::writable).toList();
    if (up.size() < minReplicas) {
      List<String> out =
          replicas.stream()
              .filter(r -> !up.contains(r))
              .map(
                  r ->
                      Placement.server(r)
                          + " ("
                          + health.state(r).name().toLowerCase(java.util.Locale.ROOT)
                          + ")")
              .toList();
      throw new HttpError(
          ErrorCode.VOLUME_DOWN,
          (out.size() == 1
                  ? "volume " + out.get(0) + " takes"
                  : "volumes " + String.join(", ", out) + " take")
              + " no writes: a PUT needs "
              + minReplicas
              + " of the key's "
              + replicas.size()
              + " replicas up");
    }
    return up;
  }

  /**
   * A write under way: its key held, its PENDING record written (or, {@code staged}, the old record
   * kept with the staged copies leaving); it writes to {@code targets}.
   */
  private record Pending(
      String key,
      KeyLocks.Held held,
      Record old,
      List<String> replicas,
      List<String> targets,
      long created,
      String placement,
      String meta,
      boolean staged) {}

  /**
   * The LIVE record of a write every required replica took; the failed ones are named as missing.
   */
  private Record live(Pending p, long size, String hexMd5, List<VolumeException> failed) {
    List<String> missing = new ArrayList<>();
    for (String skipped : p.replicas()) {
      if (!p.targets().contains(skipped)) {
        missing.add(skipped);
        LOG.warning(
            "PUT "
                + p.key()
                + " stored without "
                + skipped
                + " ("
                + health.state(skipped).name().toLowerCase(java.util.Locale.ROOT)
                + "), to be repaired");
      }
    }
    for (VolumeException failure : failed) {
      health.failed(failure);
      missing.add(failure.volume());
      LOG.warning(
          "PUT "
              + p.key()
              + " stored without "
              + failure.volume()
              + ", to be repaired: "
              + failure.getMessage());
    }
    List<String> leaving = List.of();
    if (p.staged()) {
      // the old copies (and any still leaving from before) stop being served with this record
      List<String> old = new ArrayList<>(p.old().everyCopy());
      old.removeAll(p.replicas());
      leaving = old;
    }
    return Record.live(p.replicas())
        .withSize(size)
        .withMd5(md5 ? hexMd5 : null)
        .withCreated(p.created())
        .withMissing(missing)
        .placedBy(p.placement())
        .withLeaving(leaving)
        .withMeta(p.meta());
  }

  // ---- small values: the IO thread from start to answer ----

  /** Called on the IO thread for a body {@link #isSmall}. */
  void handleSmall(HttpServerExchange exchange, String key) {
    String path = pathOf(key);
    String expectedMd5 =
        ContentMd5.parse(exchange.getRequestHeaders().getFirst(Protocol.CONTENT_MD5));
    Options options = Options.of(exchange);
    if (options.overwrite()) {
      Record old = index.get(key);
      if (old != null && old.isLive()) {
        // an overwrite is staged, switched and settled: worth a worker thread, unlike a plain small
        // PUT
        Blocking.run(exchange, x -> handle(x, key), Failures::answer);
        return;
      }
    }
    SmallBody.receive(
        exchange, stallTimeout, body -> replicate(exchange, key, path, body, expectedMd5, options));
  }

  private void replicate(
      HttpServerExchange exchange,
      String key,
      String path,
      byte[] body,
      String expectedMd5,
      Options options) {
    String hex = md5 || expectedMd5 != null ? HexFormat.of().formatHex(KeyPath.md5(body)) : null;
    ContentMd5.check(expectedMd5, hex);
    KeyLocks.Held held =
        locks.takeOnIoThread(
            exchange, key, () -> replicate(exchange, key, path, body, expectedMd5, options));
    if (held == null) {
      return; // a move holds the key: tried again when it is done
    }
    Record current = index.get(key);
    if (current != null && current.isLive() && options.overwrite()) {
      held.close();
      throw new HttpError(ErrorCode.KEY_BUSY, "the key was written meanwhile; retry the overwrite");
    }
    Pending p = begin(key, held, body.length, expectedMd5, options);
    // From here the answer comes from a callback: keep the exchange open past this call.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            async.putAll(
                exchange.getIoThread(),
                p.targets(),
                path,
                body,
                failed -> {
                  try {
                    replicated(exchange, p, path, body.length, hex, failed);
                  } catch (RuntimeException e) {
                    p.held().close();
                    Failures.answer(exchange, e);
                  }
                }));
  }

  private void replicated(
      HttpServerExchange exchange,
      Pending p,
      String path,
      long size,
      String hex,
      List<VolumeException> failed) {
    if (p.targets().size() - failed.size() < minReplicas) {
      failed.forEach(health::failed);
      async.deleteAll(
          exchange.getIoThread(),
          p.targets(),
          path,
          leftovers -> {
            abandoned(p.key(), leftovers);
            p.held().close();
            Failures.answer(exchange, failed.get(0));
          });
      return;
    }
    index.put(p.key(), live(p, size, hex, failed), false);
    if (p.old() != null) {
      async.deleteAll(
          exchange.getIoThread(), staleReplicas(p), path, f -> staleNotRemoved(p.key(), f));
    }
    commit.afterWrite(
        () ->
            MasterRouter.onIoThread(
                exchange,
                () -> {
                  p.held().close();
                  created(exchange, hex);
                }),
        e ->
            MasterRouter.onIoThread(
                exchange,
                () -> {
                  p.held().close();
                  Failures.answer(
                      exchange,
                      new IOException(
                          "index flush failed, the write may not survive a crash: "
                              + e.getMessage(),
                          e));
                }));
  }

  // ---- large or chunked values: streamed on a worker thread ----

  /** Called on a worker thread. */
  void handle(HttpServerExchange exchange, String key) throws IOException {
    String path = pathOf(key);
    long length = exchange.getRequestContentLength();
    Options options = Options.of(exchange);
    if (length == 0 && !options.empty()) {
      throw new HttpError(
          ErrorCode.NO_BODY, "empty body: a value needs at least one byte (or Mkv-Empty: 1)");
    }
    String expectedMd5 =
        ContentMd5.parse(exchange.getRequestHeaders().getFirst(Protocol.CONTENT_MD5));
    InputStream body =
        length == 0
            ? InputStream.nullInputStream()
            : options.empty()
                ? new BodyStream(exchange, stallTimeout)
                : nonEmpty(new BodyStream(exchange, stallTimeout));
    Pending p = begin(key, locks.take(key, stallTimeout), length, expectedMd5, options);
    Written written;
    try (KeyLocks.Held held = p.held()) {
      try {
        written =
            client.putAll(p.targets(), path, body, length, md5 || expectedMd5 != null, minReplicas);
        ContentMd5.check(expectedMd5, written.md5());
      } catch (IOException | RuntimeException e) {
        if (e instanceof VolumeException v) {
          health.failed(v);
        }
        List<VolumeException> leftovers = client.deleteAll(p.targets(), path);
        if (p.staged()) {
          unstaged(p, leftovers);
        } else {
          abandoned(key, leftovers);
        }
        throw e;
      }
      index.put(key, live(p, written.size(), written.md5(), written.failed()), false);
      if (p.old() != null && !p.staged()) {
        staleNotRemoved(key, client.deleteAll(staleReplicas(p), path));
      }
      commit.awaitWrite();
    }
    if (p.staged()) {
      settler.settle(key); // the old copies go after a grace, the value moves home
    }
    created(exchange, written.md5());
  }

  /** The 201 of a write, with the value's md5 when known (the S3 gateway's ETag). */
  private static void created(HttpServerExchange exchange, String hexMd5) {
    exchange.setStatusCode(201);
    if (hexMd5 != null) {
      exchange.getResponseHeaders().put(Protocol.CONTENT_MD5, hexMd5);
    }
    exchange.endExchange();
  }

  /**
   * After a failed overwrite removed its staged copies: the old record is served as it was. A
   * staged copy that could not be removed stays noted as leaving, for the settler to delete later.
   */
  private void unstaged(Pending p, List<VolumeException> leftovers) {
    if (leftovers.isEmpty()) {
      index.put(p.key(), p.old(), false);
    } else {
      LOG.warning(
          "overwrite of "
              + p.key()
              + " failed; a staged copy is removed when "
              + leftovers.get(0).volume()
              + " answers again: "
              + leftovers.get(0).getMessage());
      settler.settle(p.key());
    }
  }

  /**
   * After a failed write removed what it could: the record stays PENDING (never served) until the
   * sweeper has removed every copy once more, after a volume that was still finishing the write is
   * done.
   */
  private void abandoned(String key, List<VolumeException> leftovers) {
    sweeper.remember(key, leftovers.isEmpty());
    if (!leftovers.isEmpty()) {
      LOG.warning(
          "PUT "
              + key
              + " failed; a copy is removed when "
              + leftovers.get(0).volume()
              + " answers again: "
              + leftovers.get(0).getMessage());
    }
  }

  /**
   * The replaced (unlinked or abandoned) value may sit on volumes the new placement does not use.
   */
  private static List<String> staleReplicas(Pending p) {
    List<String> stale = new ArrayList<>(p.old().everyCopy());
    stale.removeAll(p.replicas());
    return stale;
  }

  private static void staleNotRemoved(String key, List<VolumeException> failures) {
    for (VolumeException e : failures) {
      LOG.warning(
          "PUT "
              + key
              + ": could not remove the replaced copy, an orphan for verify --repair: "
              + e.getMessage());
    }
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
