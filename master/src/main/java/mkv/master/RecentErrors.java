package mkv.master;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The last warnings and errors this process logged (a replica failing a write, a volume going
 * down), kept for the status page so an operator sees them without reading the log.
 */
final class RecentErrors extends Handler implements AutoCloseable {
  private static final int KEPT = 20;

  /** One logged problem. */
  record Entry(Instant time, String message) {}

  // held: JUL keeps loggers weakly, and our handler must stay on this one
  private final Logger logger = Logger.getLogger("mkv");
  private final Deque<Entry> entries = new ArrayDeque<>(); // guarded by this

  RecentErrors() {
    setLevel(Level.WARNING);
    logger.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    String message = record.getMessage();
    if (record.getThrown() != null && record.getThrown().getMessage() != null) {
      message += ": " + record.getThrown().getMessage();
    }
    synchronized (this) {
      if (entries.size() == KEPT) {
        entries.removeFirst();
      }
      entries.addLast(new Entry(Instant.ofEpochMilli(record.getMillis()), message));
    }
  }

  /** The kept entries, newest first. */
  synchronized List<Entry> newestFirst() {
    List<Entry> out = new ArrayList<>(entries);
    java.util.Collections.reverse(out);
    return out;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
