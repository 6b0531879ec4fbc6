package mkv.client;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mkv.layout.Placement;
import org.xnio.XnioIoThread;

/**
 * Small HTTP requests that block no thread: to volume servers (ours or stock nginx), a PUT of a
 * value held whole or a DELETE; to a master, the S3 gateway's lookups and small writes ({@link
 * #send}). HTTP/1.1 over keep-alive connections owned by the IO thread that asks, which also runs
 * the callback, so a request and the requests it makes share one thread and no hand-off. Bounded
 * like {@link VolumeClient}: connecting by the connect time-out, the whole call by the stall
 * time-out (the bodies are small, so no progress for that long is the same as no answer); either is
 * a {@link TimeoutException}.
 *
 * <p>This class says what replies mean to a volume call; {@link AsyncCall} runs one request, {@link
 * AsyncConnection} one connection, {@link IdleConnections} keeps them between calls.
 */
public final class AsyncClient {
  /** The outcome of one call, run on the IO thread that made it: null on success. */
  @FunctionalInterface
  public interface Callback {
    void done(VolumeException failure);
  }

  /**
   * An answer to {@link #send}, whatever its status.
   *
   * @param text the first line of the body, at most 200 characters
   */
  public record Reply(ResponseHead head, String text) {
    public int status() {
      return head.status();
    }

    /** A field of the answer, by name in any case; null when absent. */
    public String header(String name) {
      return head.header(name);
    }
  }

  /**
   * The outcome of {@link #send}, run on the IO thread that made it: a reply, or the failure to get
   * one (naming the server).
   */
  @FunctionalInterface
  public interface ReplyCallback {
    void done(Reply reply, IOException failure);
  }

  private static final int[] PUT_OK = {200, 201, 204};
  private static final int[] DELETE_OK = {200, 202, 204, 404};

  final long connectMillis;
  final long stallMillis;
  final IdleConnections idle = new IdleConnections();

  public AsyncClient(Duration connectTimeout, Duration stallTimeout) {
    this.connectMillis = connectTimeout.toMillis();
    this.stallMillis = stallTimeout.toMillis();
  }

  /** Stores {@code value} at {@code path} on {@code replica} ({@code host:port[/svXX]}). */
  public void put(XnioIoThread thread, String replica, String path, byte[] value, Callback done) {
    toVolume(thread, "PUT", replica, path, value, PUT_OK, done);
  }

  /** Deletes {@code path} from {@code replica}; a missing file counts as deleted. */
  public void delete(XnioIoThread thread, String replica, String path, Callback done) {
    toVolume(thread, "DELETE", replica, path, null, DELETE_OK, done);
  }

  /**
   * Sends {@code method target} to {@code server} ({@code host:port}) with {@code headers} and
   * {@code body} (null for none); {@code done} gets the reply whatever its status, or the failure
   * to get one.
   */
  public void send(
      XnioIoThread thread,
      String server,
      String method,
      String target,
      Map<String, String> headers,
      byte[] body,
      ReplyCallback done) {
    new AsyncCall(this, thread, method, server, null, target, headers, body, done).start();
  }

  /**
   * {@link #put} to every replica at once; {@code done} gets the failures, in replica order, once
   * all answered.
   */
  public void putAll(
      XnioIoThread thread,
      List<String> replicas,
      String path,
      byte[] value,
      Consumer<List<VolumeException>> done) {
    onEach(replicas, done, (replica, cb) -> put(thread, replica, path, value, cb));
  }

  /**
   * {@link #delete} from every replica at once; {@code done} gets the failures once all answered.
   */
  public void deleteAll(
      XnioIoThread thread,
      List<String> replicas,
      String path,
      Consumer<List<VolumeException>> done) {
    onEach(replicas, done, (replica, cb) -> delete(thread, replica, path, cb));
  }

  /** A call to a volume: a reply is a success when its status is one of {@code ok}. */
  private void toVolume(
      XnioIoThread thread,
      String method,
      String replica,
      String path,
      byte[] body,
      int[] ok,
      Callback done) {
    new AsyncCall(
            this,
            thread,
            method,
            Placement.server(replica),
            replica,
            Placement.subvolume(replica) + path,
            Map.of(),
            body,
            (reply, failure) -> {
              if (failure != null) {
                done.done((VolumeException) failure); // AsyncCall names the replica
              } else if (!isOk(ok, reply.status())) {
                String d = reply.text();
                done.done(
                    new VolumeException(
                        replica,
                        reply.status(),
                        reply.status() + " on " + method + (d.isEmpty() ? "" : " (" + d + ")"),
                        null));
              } else {
                done.done(null);
              }
            })
        .start();
  }

  private interface Request {
    void send(String replica, Callback cb);
  }

  private static void onEach(
      List<String> replicas, Consumer<List<VolumeException>> done, Request request) {
    if (replicas.isEmpty()) {
      done.accept(List.of());
      return;
    }
    VolumeException[] failures = new VolumeException[replicas.size()];
    int[] left = {replicas.size()};
    for (int i = 0; i < replicas.size(); i++) {
      int slot = i;
      // every callback runs on the one IO thread: the counter needs no lock
      request.send(
          replicas.get(i),
          failure -> {
            failures[slot] = failure;
            if (--left[0] == 0) {
              List<VolumeException> failed = new ArrayList<>(0);
              for (VolumeException f : failures) {
                if (f != null) {
                  failed.add(f);
                }
              }
              done.accept(failed);
            }
          });
    }
  }

  private static boolean isOk(int[] ok, int code) {
    for (int c : ok) {
      if (c == code) {
        return true;
      }
    }
    return false;
  }
}
