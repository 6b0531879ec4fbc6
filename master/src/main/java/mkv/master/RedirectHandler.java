package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import mkv.client.VolumeClient;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.index.ReadCache;
import mkv.index.Record;
import mkv.layout.KeyPath;
import mkv.layout.Placement;

/**
 * GET and HEAD of a key: a 302 to a replica believed up, chosen at random to spread reads.
 *
 * <p>Runs on the IO thread: a LevelDB lookup that hits its cache costs less than a dispatch, and
 * volume health comes from {@link VolumeHealth}, never from a round trip here. What a key's record
 * answers is cached ({@link ReadCache}) until the key is written again, so a hot key costs no
 * LevelDB lookup, record decoding or md5.
 */
final class RedirectHandler {
  private static final String NOT_FOUND = ErrorCode.NOT_FOUND.code();

  private final VolumeHealth health;
  private final String fallback;
  private final ReadCache<Answer> answers;

  /**
   * A live key's answer, computed once from its record: the holders, with the server each names and
   * the URL of the value there, and the headers.
   */
  private record Answer(
      String[] servers,
      String[] urls,
      String md5,
      String keyVolumes,
      String balance,
      String size,
      String created,
      String meta) {}

  RedirectHandler(
      Index index, CurrentPlacement placement, VolumeHealth health, String fallback, boolean md5) {
    this.health = health;
    this.fallback = fallback;
    this.answers =
        new ReadCache<>(index, (key, record) -> answer(key, record, placement.effective(), md5));
  }

  private static Answer answer(String key, Record record, Placement placement, boolean md5) {
    if (record == null || !record.isLive()) {
      return null;
    }
    List<String> holders = record.holders();
    String path = KeyPath.of(key);
    String[] servers = new String[holders.size()];
    String[] urls = new String[holders.size()];
    for (int i = 0; i < servers.length; i++) {
      servers[i] = Placement.server(holders.get(i));
      urls[i] = VolumeClient.url(holders.get(i), path);
    }
    // A record placed by this very placement is balanced; only others need the md5 ranking again.
    boolean balanced =
        placement.fingerprint().equals(record.placement())
            || placement.isBalanced(key, record.replicas());
    return new Answer(
        servers,
        urls,
        md5 ? record.md5() : null,
        String.join(",", record.replicas()),
        balanced ? "balanced" : "unbalanced",
        Long.toString(record.size()),
        Long.toString(record.created()),
        record.meta());
  }

  /** The cache of answers, for its hit counts. */
  ReadCache<?> cache() {
    return answers;
  }

  void handle(HttpServerExchange exchange, String key) {
    Answer answer = answers.get(key);
    if (answer == null) {
      if (fallback != null) {
        redirect(exchange, "http://" + fallback + exchange.getRequestPath());
      } else {
        exchange.setStatusCode(ErrorCode.NOT_FOUND.status());
        exchange.getResponseHeaders().put(Protocol.ERROR, NOT_FOUND);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
      }
      return;
    }
    String location = choose(answer);
    var headers = exchange.getResponseHeaders();
    if (answer.md5() != null) {
      headers.put(Protocol.CONTENT_MD5, answer.md5());
    }
    headers.put(Protocol.KEY_VOLUMES, answer.keyVolumes());
    headers.put(Protocol.KEY_BALANCE, answer.balance());
    if (exchange.getRequestHeaders().contains(Protocol.DETAIL)) {
      headers.put(Protocol.SIZE, answer.size());
      headers.put(Protocol.CREATED, answer.created());
      if (answer.meta() != null) {
        headers.put(Protocol.META, answer.meta());
      }
    }
    redirect(exchange, location);
  }

  /** The URL on a random holder among those up, else among those slow; 503 when all are down. */
  private String choose(Answer answer) {
    String[] servers = answer.servers();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String up = null;
    String slow = null;
    int ups = 0;
    int slows = 0;
    // one pass, each holder's state read once: the i-th candidate of a kind replaces the pick with
    // chance 1/i
    for (int i = 0; i < servers.length; i++) {
      switch (health.state(servers[i])) {
        case UP, FULL -> up = random.nextInt(++ups) == 0 ? answer.urls()[i] : up;
        case SLOW -> slow = random.nextInt(++slows) == 0 ? answer.urls()[i] : slow;
        case DOWN -> {}
      }
    }
    if (up == null && slow == null) {
      throw new HttpError(
          ErrorCode.VOLUME_DOWN, "no replica of this key is up: " + String.join(", ", servers));
    }
    return up != null ? up : slow;
  }

  private static void redirect(HttpServerExchange exchange, String location) {
    exchange.setStatusCode(302);
    exchange.getResponseHeaders().put(Headers.LOCATION, location);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
    exchange.endExchange();
  }
}
