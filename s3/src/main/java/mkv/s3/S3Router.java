package mkv.s3;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.logging.Logger;
import mkv.http.Protocol;
import mkv.metrics.Metrics;
import mkv.s3.auth.Authenticator;
import mkv.s3.xml.S3Error;

/**
 * The gateway's one switch: authenticates each request, then hands it to the handler of its S3
 * operation, chosen by method, path shape (service, bucket, object) and query. The common requests
 * are taken on the IO thread first ({@link IoThreadRequests}); every other one may wait on the
 * master or a volume, and runs here on a worker thread. Besides S3: {@code /_health}, and the
 * metrics at {@code /metrics} like every server of ours (and at {@code /_metrics}, their path
 * before, for one more release).
 */
final class S3Router implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(S3Router.class.getName());

  /** Where the gateway's metrics were before {@link Protocol#METRICS}, answered for a release. */
  static final String OLD_METRICS = "/_metrics";

  private final IoThreadRequests ioThread;
  private final Authenticator authenticator;
  private final BucketHandler buckets;
  private final GetHandler gets;
  private final PutHandler puts;
  private final DeleteHandler deletes;
  private final ListHandler lists;
  private final MultipartHandler multipart;
  private final Metrics metrics;
  private final String masterUrl;
  private final String domain;

  S3Router(
      IoThreadRequests ioThread,
      Authenticator authenticator,
      BucketHandler buckets,
      GetHandler gets,
      PutHandler puts,
      DeleteHandler deletes,
      ListHandler lists,
      MultipartHandler multipart,
      Metrics metrics,
      S3Config config) {
    this.ioThread = ioThread;
    this.authenticator = authenticator;
    this.buckets = buckets;
    this.gets = gets;
    this.puts = puts;
    this.deletes = deletes;
    this.lists = lists;
    this.multipart = multipart;
    this.metrics = metrics;
    this.masterUrl = config.master();
    this.domain = config.domain();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      if (!ioThread.handle(exchange)) {
        exchange.dispatch(this);
      }
      return;
    }
    Replies.identify(exchange);
    String resource = exchange.getRequestPath();
    try {
      exchange.startBlocking();
      String path = exchange.getRequestPath();
      if (path.equals(Protocol.HEALTH)) {
        exchange.getResponseSender().send("ok\n");
        return;
      }
      if (path.equals(OLD_METRICS) || path.equals(Protocol.METRICS) && isScrape(exchange)) {
        metrics.serve(exchange);
        return;
      }
      S3Request r = exchange.getAttachment(S3Request.PARSED);
      if (r == null) {
        r = S3Request.parse(exchange, domain);
      }
      resource = r.resource();
      r.auth = authenticator.authenticate(r.signed);
      route(exchange, r);
    } catch (Exception e) {
      Failures.answer(exchange, e, resource, masterUrl);
    }
  }

  private void route(HttpServerExchange exchange, S3Request r) throws Exception {
    String m = r.method;
    if (r.bucket == null) {
      if (m.equals("GET")) {
        buckets.list(exchange);
        return;
      }
      throw methodNotAllowed(exchange, "GET");
    }
    if (r.key == null) {
      bucket(exchange, r, m);
      return;
    }
    switch (m) {
      case "GET" -> {
        if (r.has("uploadId")) {
          multipart.listParts(exchange, r);
        } else if (r.has("acl") || r.has("tagging") || r.has("torrent") || r.has("retention")) {
          throw S3Error.notImplemented("object subresource " + r.query.keySet());
        } else {
          gets.handle(exchange, r, false);
        }
      }
      case "HEAD" -> gets.handle(exchange, r, true);
      case "PUT" -> {
        if (r.has("uploadId") || r.has("partNumber")) {
          multipart.uploadPart(exchange, r);
        } else if (r.has("acl") || r.has("tagging") || r.has("retention") || r.has("legal-hold")) {
          throw S3Error.notImplemented("object subresource " + r.query.keySet());
        } else if (r.header("x-amz-copy-source") != null) {
          puts.copy(exchange, r);
        } else {
          puts.put(exchange, r);
        }
      }
      case "DELETE" -> {
        if (r.has("uploadId")) {
          multipart.abort(exchange, r);
        } else if (r.has("tagging")) {
          throw S3Error.notImplemented("object tagging");
        } else {
          deletes.delete(exchange, r);
        }
      }
      case "POST" -> {
        if (r.has("uploads")) {
          multipart.create(exchange, r);
        } else if (r.has("uploadId")) {
          multipart.complete(exchange, r);
        } else {
          throw S3Error.notImplemented("POST on an object without ?uploads or ?uploadId");
        }
      }
      default -> throw methodNotAllowed(exchange, "GET, HEAD, PUT, POST, DELETE");
    }
  }

  private void bucket(HttpServerExchange exchange, S3Request r, String m) throws Exception {
    switch (m) {
      case "GET" -> {
        if (r.has("location")) {
          buckets.location(exchange, r);
        } else if (r.has("uploads")) {
          multipart.listUploads(exchange, r);
        } else if (r.has("versioning")) {
          buckets.versioning(exchange, r);
        } else if (r.has("list-type")) {
          if (!"2".equals(r.param("list-type"))) {
            throw S3Error.invalidArgument("list-type must be 2");
          }
          lists.list(exchange, r, true);
        } else if (r.has("versions")
            || r.has("acl")
            || r.has("policy")
            || r.has("lifecycle")
            || r.has("cors")
            || r.has("tagging")
            || r.has("encryption")
            || r.has("website")
            || r.has("logging")
            || r.has("notification")
            || r.has("replication")
            || r.has("object-lock")) {
          throw S3Error.notImplemented("bucket subresource " + r.query.keySet());
        } else {
          lists.list(exchange, r, false);
        }
      }
      case "HEAD" -> buckets.head(exchange, r);
      case "PUT" -> {
        if (!r.query.isEmpty()) {
          throw S3Error.notImplemented("bucket subresource " + r.query.keySet());
        }
        buckets.create(exchange, r);
      }
      case "DELETE" -> {
        if (!r.query.isEmpty()) {
          throw S3Error.notImplemented("bucket subresource " + r.query.keySet());
        }
        buckets.delete(exchange, r, multipart);
      }
      case "POST" -> {
        if (r.has("delete")) {
          deletes.deleteMany(exchange, r);
        } else {
          throw S3Error.notImplemented("POST on a bucket without ?delete");
        }
      }
      default -> throw methodNotAllowed(exchange, "GET, HEAD, PUT, POST, DELETE");
    }
  }

  /**
   * Whether a request for {@code /metrics} is a scrape of the gateway's metrics: an unsigned GET. A
   * bucket may be named {@code metrics}, and ListObjects of it is the same request signed; an
   * unsigned request is never an S3 operation here (it would be AccessDenied), so neither can take
   * the other's. ({@code /_health} and {@code /_metrics} cannot collide: no bucket name starts with
   * {@code _}.)
   */
  private static boolean isScrape(HttpServerExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    return exchange.getRequestMethod().equals(Methods.GET)
        && (authorization == null || !authorization.startsWith("AWS"))
        && !exchange.getQueryString().contains("Signature=");
  }

  private static S3Error methodNotAllowed(HttpServerExchange exchange, String allowed) {
    exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
    return new S3Error(
        405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  static Logger log() {
    return LOG;
  }
}
