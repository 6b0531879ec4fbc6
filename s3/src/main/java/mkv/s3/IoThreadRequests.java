package mkv.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import mkv.http.Protocol;
import mkv.master.SmallBody;
import mkv.s3.auth.Authenticator;
import mkv.s3.auth.Payload;

/**
 * The common requests, handled on the IO thread from start to answer as the master handles its
 * small PUTs: GetObject and HeadObject, and a PutObject of at most {@link Protocol#SMALL_BODY}
 * bytes to a bucket known to exist. The master is asked by callback, a local volume's file is sent
 * with sendfile, so no worker thread is woken; only a value relayed from a volume goes to one.
 * Anything else (lists, multipart, copies, large bodies) is left to the worker threads.
 */
final class IoThreadRequests {
  private final Authenticator authenticator;
  private final BucketHandler buckets;
  private final GetHandler gets;
  private final MasterClient master;
  private final Duration stallTimeout;
  private final String masterUrl;
  private final String domain;

  IoThreadRequests(
      Authenticator authenticator,
      BucketHandler buckets,
      GetHandler gets,
      MasterClient master,
      S3Config config) {
    this.authenticator = authenticator;
    this.buckets = buckets;
    this.gets = gets;
    this.master = master;
    this.stallTimeout = config.stallTimeout();
    this.masterUrl = config.master();
    this.domain = config.domain();
  }

  /** Takes the request when it is one of those above; false leaves it to a worker thread. */
  boolean handle(HttpServerExchange exchange) {
    boolean get = exchange.getRequestMethod().equals(Methods.GET);
    boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
    boolean put = exchange.getRequestMethod().equals(Methods.PUT);
    if (!get && !head && !put) {
      return false;
    }
    S3Request r;
    try {
      r = S3Request.parse(exchange, domain);
    } catch (RuntimeException e) {
      return false; // the worker's path answers it
    }
    exchange.putAttachment(S3Request.PARSED, r); // the worker's path, if it takes it, reads it
    if (r.key == null || !(put ? smallPut(exchange, r) : plainGet(r))) {
      return false;
    }
    Replies.identify(exchange);
    try {
      r.auth = authenticator.authenticate(r.signed);
      if (put) {
        put(exchange, r);
      } else {
        get(exchange, r, head);
      }
    } catch (RuntimeException e) {
      Failures.answer(exchange, e, r.resource(), masterUrl);
    }
    return true;
  }

  /** A GetObject with no parameter but the {@code response-*} overrides and {@code partNumber}. */
  private static boolean plainGet(S3Request r) {
    return r.query.keySet().stream()
        .allMatch(p -> p.startsWith("response-") || p.equals("partNumber"));
  }

  private boolean smallPut(HttpServerExchange exchange, S3Request r) {
    long length = exchange.getRequestContentLength();
    return r.query.isEmpty()
        && r.header("x-amz-copy-source") == null
        && length >= 0
        && length <= Protocol.SMALL_BODY
        && buckets.knownToExist(r.bucket);
  }

  private void get(HttpServerExchange exchange, S3Request r, boolean head) {
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            master.locate(
                exchange.getIoThread(),
                r.storeKey(),
                (loc, failure) -> {
                  try {
                    if (failure != null) {
                      throw failure;
                    }
                    if (loc == null) {
                      // no such key, or no such bucket: which one may take a lookup
                      gets.onWorker(
                          exchange,
                          r,
                          x -> {
                            throw gets.missing(r.bucket, r.key);
                          });
                    } else {
                      gets.answer(exchange, r, loc, head);
                    }
                  } catch (IOException | RuntimeException e) {
                    Failures.answer(exchange, e, r.resource(), masterUrl);
                  }
                }));
  }

  private void put(HttpServerExchange exchange, S3Request r) {
    PutHandler.checkKey(r.bucket, r.key);
    String meta = ObjectMeta.of(exchange.getRequestHeaders()).encode();
    String md5 = PutHandler.contentMd5(r);
    SmallBody.receive(
        exchange,
        stallTimeout,
        body -> {
          byte[] value;
          try (Payload payload =
              Payload.of(new ByteArrayInputStream(body), r.auth, r.signed, body.length)) {
            value = payload.readAllBytes(); // checks the signed hash, checksums, chunk signatures
          } catch (IOException e) {
            Failures.answer(exchange, e, r.resource(), masterUrl);
            return;
          }
          exchange.dispatch(
              SameThreadExecutor.INSTANCE,
              () ->
                  master.put(
                      exchange.getIoThread(),
                      r.storeKey(),
                      value,
                      md5,
                      meta,
                      true,
                      (stored, failure) -> {
                        if (failure != null) {
                          Failures.answer(exchange, failure, r.resource(), masterUrl);
                        } else {
                          exchange
                              .getResponseHeaders()
                              .put(Replies.ETAG, Replies.etag(stored.md5()));
                          Replies.empty(exchange, 200);
                        }
                      }));
        },
        (x, e) -> Failures.answer(x, e, r.resource(), masterUrl));
  }
}
