package mkv.master;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;
import mkv.client.RequestHead;

/**
 * Holds an idle HTTP connection to each volume server and reports the moment one closes, so that a
 * volume process that dies (its kernel resets or closes the connection) is checked at once instead
 * of at the next background check; and each time one opens, so that a volume that comes back (or
 * whose last check failed) is checked at once too. A host that vanishes silently closes nothing:
 * the background check still catches that.
 */
final class VolumeWatch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VolumeWatch.class.getName());

  /**
   * A connection that lasted less than this is not reopened at once (a server that closes idle ones
   * fast).
   */
  private static final long SHORT_LIVED_NANOS = 1_000_000_000L;

  private final Map<String, Socket> open = new ConcurrentHashMap<>();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  private final int connectTimeoutMillis;
  private final long retryMillis;
  private final Consumer<String> changed;
  private volatile boolean stopped;

  /**
   * @param changed called on the watch's thread with the server whose connection opened, closed, or
   *     could not be opened; it should check the server now
   * @param retry how long to wait before reopening a connection that could not be opened or was
   *     short-lived
   */
  VolumeWatch(
      List<String> servers, Duration connectTimeout, Duration retry, Consumer<String> changed) {
    this.connectTimeoutMillis = (int) Math.max(1, connectTimeout.toMillis());
    this.retryMillis = Math.max(1, retry.toMillis());
    this.changed = changed;
    servers.forEach(this::add);
  }

  /** Starts watching one more server. */
  synchronized void add(String server) {
    if (!threads.containsKey(server)) {
      Thread t = new Thread(() -> watch(server), "volume-watch " + server);
      t.setDaemon(true);
      threads.put(server, t); // before it starts: the thread runs while it is listed
      t.start();
    }
  }

  /** Stops watching a server. */
  synchronized void remove(String server) {
    Thread t = threads.remove(server);
    if (t != null) {
      t.interrupt();
      closeQuietly(open.get(server));
    }
  }

  private boolean watching(String server) {
    return !stopped && threads.containsKey(server);
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private void watch(String server) {
    URI uri = URI.create("http://" + server);
    InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
    byte[] request = RequestHead.encode("HEAD", "/", server, -1, Map.of());
    byte[] sink = new byte[4096];
    while (watching(server)) {
      long opened = System.nanoTime();
      boolean connected = false;
      try (Socket s = new Socket()) {
        open.put(server, s);
        if (!watching(server)) {
          return;
        }
        s.connect(address, connectTimeoutMillis);
        connected = true;
        opened = System.nanoTime();
        report(server); // up again, perhaps: check it now rather than at the next background check
        // One request makes it a kept-alive HTTP connection; then it stays idle until either side
        // closes it.
        s.getOutputStream().write(request);
        InputStream in = s.getInputStream();
        while (in.read(sink) >= 0) {
          // the answer to the HEAD, then nothing until the connection closes
        }
      } catch (IOException e) {
        // reset, refused, or closed by close(): the check below tells which
      } finally {
        open.remove(server);
      }
      if (!watching(server)) {
        return;
      }
      report(server);
      if (!connected || System.nanoTime() - opened < SHORT_LIVED_NANOS) {
        try {
          Thread.sleep(retryMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void report(String server) {
    try {
      changed.accept(server);
    } catch (
        Exception
            e) { // okhttp throws InterruptedException unchecked when close() interrupts a check
      if (!stopped) {
        LOG.warning("checking " + server + " after its watch connection changed: " + e);
      }
    }
  }

  @Override
  public void close() {
    stopped = true;
    open.values().forEach(VolumeWatch::closeQuietly);
    threads.values().forEach(Thread::interrupt);
  }
}
