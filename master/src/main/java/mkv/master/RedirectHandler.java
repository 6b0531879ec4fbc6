package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;

/**
 * GET and HEAD of a key: a 302 to a replica believed up, chosen at random to spread reads.
 *
 * <p>Runs on the IO thread: a LevelDB lookup that hits its cache costs less than a dispatch, and
 * volume health comes from {@link VolumeHealth}, never from a round trip here.
 */
final class RedirectHandler {
  static final HttpString CONTENT_MD5 = new HttpString("Content-Md5");
  static final HttpString KEY_VOLUMES = new HttpString("Key-Volumes");
  static final HttpString KEY_BALANCE = new HttpString("Key-Balance");

  private final Index index;
  private final Placement placement;
  private final VolumeHealth health;
  private final String fallback;
  private final boolean md5;

  RedirectHandler(Index index, Placement placement, VolumeHealth health, String fallback, boolean md5) {
    this.index = index;
    this.placement = placement;
    this.health = health;
    this.fallback = fallback;
    this.md5 = md5;
  }

  void handle(HttpServerExchange exchange, String key) {
    Record record = index.get(key);
    if (record == null || !record.isLive()) {
      if (fallback != null) {
        redirect(exchange, "http://" + fallback + exchange.getRequestPath());
      } else {
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
      }
      return;
    }
    String replica = choose(record.holders());
    var headers = exchange.getResponseHeaders();
    if (md5 && record.md5() != null) {
      headers.put(CONTENT_MD5, record.md5());
    }
    headers.put(KEY_VOLUMES, String.join(",", record.replicas()));
    // A record placed by this very placement is balanced; only others need the md5 ranking again.
    boolean balanced = placement.fingerprint().equals(record.placement()) || placement.isBalanced(key, record.replicas());
    headers.put(KEY_BALANCE, balanced ? "balanced" : "unbalanced");
    redirect(exchange, KeyPath.url(replica, key));
  }

  /** A random replica among those up, else among those slow; 503 when all are down. */
  private String choose(List<String> holders) {
    List<String> up = new ArrayList<>(holders.size());
    List<String> slow = new ArrayList<>(0);
    for (String replica : holders) {
      switch (health.state(replica)) {
        case UP -> up.add(replica);
        case SLOW -> slow.add(replica);
        case DOWN -> { }
      }
    }
    List<String> candidates = up.isEmpty() ? slow : up;
    if (candidates.isEmpty()) {
      throw new HttpError(503, "no replica of this key is up: " + String.join(", ", holders));
    }
    return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
  }

  private static void redirect(HttpServerExchange exchange, String location) {
    exchange.setStatusCode(302);
    exchange.getResponseHeaders().put(Headers.LOCATION, location);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
    exchange.endExchange();
  }
}
