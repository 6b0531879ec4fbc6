package mkv.client;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The idle keep-alive connections of one {@link AsyncClient}, per IO thread and server. Each is
 * only ever touched by its own IO thread, so nothing here locks.
 */
final class IdleConnections {
  private static final int MAX_PER_SERVER = 256;

  private final ThreadLocal<Map<String, ArrayDeque<AsyncConnection>>> idle =
      ThreadLocal.withInitial(HashMap::new);

  /** An open idle connection to {@code server} of this thread, the newest first; or null. */
  AsyncConnection take(String server) {
    ArrayDeque<AsyncConnection> pool = idle.get().get(server);
    AsyncConnection c;
    while (pool != null && (c = pool.pollLast()) != null) {
      if (c.isOpen()) {
        return c;
      }
    }
    return null;
  }

  /** Keeps {@code c} for the next call; false when this thread holds enough for its server. */
  boolean offer(AsyncConnection c) {
    ArrayDeque<AsyncConnection> pool =
        idle.get().computeIfAbsent(c.server(), s -> new ArrayDeque<>());
    if (pool.size() >= MAX_PER_SERVER) {
      return false;
    }
    pool.addLast(c);
    return true;
  }

  /** Forgets {@code c}, closed while idle. */
  void remove(AsyncConnection c) {
    ArrayDeque<AsyncConnection> pool = idle.get().get(c.server());
    if (pool != null) {
      pool.remove(c);
    }
  }
}
