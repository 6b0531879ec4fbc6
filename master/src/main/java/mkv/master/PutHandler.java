package mkv.master;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.Written;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;

/**
 * PUT of a key: streams the body to every replica in parallel, then commits the record.
 *
 * <p>Write ordering makes a crash at any point safe: the record is written PENDING (never served)
 * before any volume is touched, and turned LIVE, durably, only after every replica has the value
 * durably. A failed write removes its copies and its record; if removing a copy fails, the record
 * stays PENDING and {@link PendingSweeper} finishes the clean-up.
 */
final class PutHandler {
  private static final Logger LOG = Logger.getLogger(PutHandler.class.getName());

  private final Index index;
  private final Placement placement;
  private final VolumeClient client;
  private final VolumeHealth health;
  private final KeyLocks locks;
  private final PendingSweeper sweeper;
  private final boolean md5;
  private final int minReplicas;
  private final Duration stallTimeout;

  PutHandler(Index index, Placement placement, VolumeClient client, VolumeHealth health, KeyLocks locks,
      PendingSweeper sweeper, boolean md5, int minReplicas, Duration stallTimeout) {
    this.index = index;
    this.placement = placement;
    this.client = client;
    this.health = health;
    this.locks = locks;
    this.sweeper = sweeper;
    this.md5 = md5;
    this.minReplicas = minReplicas;
    this.stallTimeout = stallTimeout;
  }

  void handle(HttpServerExchange exchange, String key) throws IOException {
    if (key.length() <= 1) {
      throw new HttpError(400, "empty key: PUT needs a path such as /name");
    }
    if (MasterRouter.isReserved(key)) {
      throw new HttpError(400, "key " + key + " is reserved for the master's own use");
    }
    String path = KeyPath.of(key);
    if (!KeyPath.fits(path)) {
      throw new HttpError(414, "key too long: its file name on a volume would exceed "
          + KeyPath.MAX_SEGMENT_BYTES + " bytes");
    }
    long length = exchange.getRequestContentLength();
    if (length == 0) {
      throw new HttpError(411, "empty body: a value needs at least one byte");
    }
    String expectedMd5 = ContentMd5.parse(exchange.getRequestHeaders().getFirst("Content-MD5"));
    try (KeyLocks.Held held = locks.take(key)) {
      Record old = index.get(key);
      if (old != null && old.isLive()) {
        throw new HttpError(403, "key exists: DELETE it (or UNLINK it) before writing it again");
      }
      InputStream body = nonEmpty(new BodyStream(exchange, stallTimeout));
      List<String> replicas = placement.replicasFor(key);
      long created = System.currentTimeMillis();
      // Not synced: if a crash loses it, the copies it covered are orphans that no record serves.
      // Size and md5, when the client gave them, let a restart complete the write instead of rolling back.
      index.put(key, new Record(Record.State.PENDING, replicas, length, expectedMd5, created, List.of(),
          placement.fingerprint()), false);
      Written written;
      try {
        written = client.putAll(replicas, path, body, length, md5 || expectedMd5 != null, minReplicas);
        if (expectedMd5 != null && !expectedMd5.equals(written.md5())) {
          throw new HttpError(400, "the body's md5 " + written.md5() + " does not match Content-MD5 " + expectedMd5);
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof VolumeException v) {
          health.failed(v);
        }
        abandon(key, replicas, path);
        throw e;
      }
      List<String> missing = new ArrayList<>();
      for (VolumeException failure : written.failed()) {
        health.failed(failure);
        missing.add(failure.volume());
        LOG.warning("PUT " + key + " stored without " + failure.volume() + ", to be repaired: " + failure.getMessage());
      }
      index.put(key, new Record(Record.State.LIVE, replicas, written.size(), md5 ? written.md5() : null, created,
          missing, placement.fingerprint()), true);
      if (old != null) {
        dropStaleCopies(key, old, replicas, path);
      }
    }
    exchange.setStatusCode(201);
    exchange.endExchange();
  }

  /**
   * Removes what a failed write left. The record stays PENDING (never served) until the sweeper has
   * removed every copy once more, after a volume that was still finishing the write is done.
   */
  private void abandon(String key, List<String> replicas, String path) {
    List<VolumeException> failures = client.deleteAll(replicas, path);
    sweeper.remember(key);
    if (!failures.isEmpty()) {
      LOG.warning("PUT " + key + " failed; a copy is removed when " + failures.get(0).volume() + " answers again: "
          + failures.get(0).getMessage());
    }
  }

  /** The replaced (unlinked or abandoned) value may sit on volumes the new placement does not use. */
  private void dropStaleCopies(String key, Record old, List<String> replicas, String path) {
    List<String> stale = new ArrayList<>(old.replicas());
    stale.removeAll(replicas);
    for (VolumeException e : client.deleteAll(stale, path)) {
      LOG.warning("PUT " + key + ": could not remove the replaced copy, an orphan for verify --repair: " + e.getMessage());
    }
  }

  /** Reads ahead one byte so that an empty chunked body is refused before any volume is touched. */
  private static InputStream nonEmpty(InputStream in) throws IOException {
    PushbackInputStream peek = new PushbackInputStream(in, 1);
    int first = peek.read();
    if (first < 0) {
      throw new HttpError(411, "empty body: a value needs at least one byte");
    }
    peek.unread(first);
    return peek;
  }
}
