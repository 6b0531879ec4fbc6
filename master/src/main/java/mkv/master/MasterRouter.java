package mkv.master;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import mkv.http.Blocking;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.metrics.Metrics;

/**
 * The master's one method switch: parses the key, then hands the request to the handler of its
 * operation. Cheap reads stay on the IO thread; anything that writes or waits on a volume is
 * dispatched to a worker.
 */
final class MasterRouter implements HttpHandler {
  private static final HttpString UNLINK = new HttpString("UNLINK");
  private static final String ALLOWED = "GET, HEAD, PUT, DELETE, UNLINK";

  private final RedirectHandler redirect;
  private final ListHandler list;
  private final SmallPutHandler smallPut;
  private final StreamedPutHandler streamedPut;
  private final DeleteHandler delete;
  private final VolumesHandler volumes;
  private final VerifyHandler verify;
  private final RebalanceHandler rebalance;
  private final HealthHandler health;
  private final StatusHandler status;
  private final AdminGuard guard;
  private final Metrics metrics;

  MasterRouter(
      RedirectHandler redirect,
      ListHandler list,
      SmallPutHandler smallPut,
      StreamedPutHandler streamedPut,
      DeleteHandler delete,
      VolumesHandler volumes,
      VerifyHandler verify,
      RebalanceHandler rebalance,
      HealthHandler health,
      StatusHandler status,
      AdminGuard guard,
      Metrics metrics) {
    this.metrics = metrics;
    this.status = status;
    this.guard = guard;
    this.rebalance = rebalance;
    this.health = health;
    this.redirect = redirect;
    this.list = list;
    this.smallPut = smallPut;
    this.streamedPut = streamedPut;
    this.delete = delete;
    this.volumes = volumes;
    this.verify = verify;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Blocking.here(exchange, this::route, Failures::answer);
  }

  private void route(HttpServerExchange exchange) throws Exception {
    HttpString method = exchange.getRequestMethod();
    boolean read = method.equals(Methods.GET) || method.equals(Methods.HEAD);
    boolean admin =
        method.equals(Methods.POST)
            && (exchange.getRequestPath().equals(Protocol.VERIFY)
                || exchange.getRequestPath().equals(Protocol.REBALANCE));
    if (!read
        && !admin
        && !method.equals(Methods.PUT)
        && !method.equals(Methods.DELETE)
        && !method.equals(UNLINK)) {
      exchange.getResponseHeaders().put(Headers.ALLOW, ALLOWED);
      throw new HttpError(
          ErrorCode.METHOD_NOT_ALLOWED, "method " + method + " not allowed; use " + ALLOWED);
    }
    if (admin) {
      guard.check(exchange);
    }
    KeyRequest request = KeyRequest.parse(exchange);
    String key = request.key();
    // On the IO thread: a GET answered from the read cache or LevelDB, and the writes that never
    // wait on a thread (a small PUT, a DELETE) - their volume requests and index flush answer by
    // callback.
    if (read && request.query().isEmpty() && !Protocol.isReserved(key)) {
      redirect.handle(exchange, key);
      return;
    }
    if (read && key.equals(Protocol.HEALTH)) {
      health.health(exchange);
      return;
    }
    if (read && key.equals(Protocol.READY)) {
      health.ready(exchange);
      return;
    }
    if (read && key.equals(Protocol.STATUS) && !request.has("json")) {
      status.page(exchange); // a constant page: no need to leave the IO thread
      return;
    }
    if (method.equals(Methods.PUT) && PutRequest.isSmall(exchange)) {
      smallPut.handle(exchange, key);
      return;
    }
    if (method.equals(Methods.DELETE)) {
      delete.delete(exchange, key);
      return;
    }
    Blocking.Work work;
    if (admin && key.equals(Protocol.REBALANCE)) {
      work = x -> rebalance.start(x, request);
    } else if (admin) {
      work = x -> verify.handle(x, request);
    } else if (read && key.equals(Protocol.METRICS)) {
      work = x -> metrics.serve(x);
    } else if (read && key.equals(Protocol.STATUS)) {
      work = x -> status.json(x);
    } else if (read && key.equals(Protocol.REBALANCE)) {
      work = x -> rebalance.status(x);
    } else if (read && key.equals(Protocol.VOLUMES)) {
      work = x -> volumes.handle(x);
    } else if (read && (request.has("list") || request.has("unlinked"))) {
      work = x -> list.handle(x, request);
    } else if (read) {
      work = x -> redirect.handle(x, key);
    } else if (method.equals(Methods.PUT)) {
      work = x -> streamedPut.handle(x, key);
    } else {
      work = x -> delete.unlink(x, key);
    }
    Blocking.run(exchange, work, Failures::answer);
  }

  /** Runs {@code r} on the exchange's IO thread: now if this is it, else queued to it. */
  static void onIoThread(HttpServerExchange exchange, Runnable r) {
    if (Thread.currentThread() == exchange.getIoThread()) {
      r.run();
    } else {
      exchange.getIoThread().execute(r);
    }
  }
}
