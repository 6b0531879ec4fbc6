package mkv.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xnio.IoFuture;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * One request of an {@link AsyncClient} to one server, on the IO thread that owns it: run on an
 * idle connection of that thread, else on a new one; retried once on a new connection when a reused
 * one turns out closed before any byte of the answer. Its outcome is reported once: the reply, or a
 * failure naming the replica ({@link VolumeException}) or the server.
 */
final class AsyncCall {
  private static final OptionMap SOCKET = OptionMap.create(Options.TCP_NODELAY, true);

  final String method;
  final String server;
  private final AsyncClient client;
  private final XnioIoThread thread;
  private final String replica; // null: a call to a server that is not a volume (send)
  private final String target;
  private final Map<String, String> headers;
  private final byte[] body;
  private final AsyncClient.ReplyCallback done;
  private boolean finished;

  AsyncCall(
      AsyncClient client,
      XnioIoThread thread,
      String method,
      String server,
      String replica,
      String target,
      Map<String, String> headers,
      byte[] body,
      AsyncClient.ReplyCallback done) {
    this.client = client;
    this.thread = thread;
    this.method = method;
    this.server = server;
    this.replica = replica;
    this.target = target;
    this.headers = headers;
    this.body = body;
    this.done = done;
  }

  /** Runs the call on its IO thread: now when this is it, else queued to it. */
  void start() {
    if (Thread.currentThread() != thread) {
      thread.execute(this::start);
      return;
    }
    AsyncConnection idle = client.idle.take(server);
    if (idle != null) {
      idle.run(this, true);
    } else {
      connect();
    }
  }

  /** Runs the call on a new connection. */
  void connect() {
    InetSocketAddress address;
    try {
      address = address(server);
    } catch (IllegalArgumentException e) {
      failed(method + " failed: bad address " + server, e);
      return;
    }
    IoFuture<StreamConnection> future = thread.openStreamConnection(address, null, SOCKET);
    XnioExecutor.Key timer =
        thread.executeAfter(future::cancel, client.connectMillis, TimeUnit.MILLISECONDS);
    future.addNotifier(
        (f, ignored) -> {
          timer.remove();
          switch (f.getStatus()) {
            case DONE -> {
              try {
                new AsyncConnection(client, thread, server, f.get()).run(this, false);
              } catch (IOException e) {
                failed(method + " failed: " + e.getMessage(), e);
              }
            }
            case FAILED ->
                failed(
                    method + " failed: connect: " + f.getException().getMessage(),
                    f.getException());
            default ->
                timedOut(
                    new TimeoutException(
                        server,
                        "connecting for " + method + " (" + client.connectMillis + " ms)",
                        null));
          }
        },
        null);
  }

  private static InetSocketAddress address(String server) {
    int colon = server.lastIndexOf(':');
    String host = server.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(server.substring(colon + 1)));
  }

  /** The request's bytes: its head, then its body if any. */
  ByteBuffer[] request() {
    ByteBuffer head =
        ByteBuffer.wrap(
            RequestHead.encode(method, target, server, body == null ? -1 : body.length, headers));
    return body == null ? new ByteBuffer[] {head} : new ByteBuffer[] {head, ByteBuffer.wrap(body)};
  }

  /** Ends the call with its reply. */
  void answered(AsyncClient.Reply reply) {
    finish(reply, null);
  }

  /** Ends the call without a reply: a VolumeException for a volume, else one naming the server. */
  void failed(String what, Throwable cause) {
    finish(
        null,
        replica != null
            ? new VolumeException(replica, 0, what, cause)
            : new IOException(server + ": " + what, cause));
  }

  /** Ends the call on a time-out. */
  void timedOut(TimeoutException e) {
    finish(null, replica != null ? new VolumeException(replica, e) : e);
  }

  private void finish(AsyncClient.Reply reply, IOException failure) {
    if (!finished) {
      finished = true;
      done.done(reply, failure);
    }
  }
}
