package mkv.master;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** At most one write or delete of a key at a time; a second one is refused, not queued (409). */
final class KeyLocks {
  private final Set<String> held = ConcurrentHashMap.newKeySet();

  /** Takes the key, or fails with 409 when another write or delete holds it. */
  Held take(String key) {
    if (!held.add(key)) {
      throw new HttpError(409, "a write or delete of this key is in progress");
    }
    return () -> held.remove(key);
  }

  /** Takes the key if free; null otherwise. */
  Held tryTake(String key) {
    return held.add(key) ? () -> held.remove(key) : null;
  }

  /** A held key; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }
}
