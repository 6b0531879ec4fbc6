package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import mkv.cli.DurationConverter;
import mkv.client.VolumeClient;
import mkv.http.ErrorCode;
import mkv.http.HttpError;
import mkv.http.Protocol;
import mkv.index.Index;
import mkv.repair.Verifier;
import mkv.work.Pool;

/**
 * {@code POST /_verify[?repair][&md5][&grace=1h]}: runs a {@link Verifier} on the master's own
 * index, taking each key's lock before repairing it so no write races a repair. Streams one line
 * per problem and ends with the summary line ({@code ... clean} or {@code ... N problems remain}).
 */
final class VerifyHandler {
  /** Trailer: how many problems remain after the run (0: clean). */
  private static final Logger LOG = Logger.getLogger(VerifyHandler.class.getName());

  private final Index index;
  private final VolumeClient client;
  private final CurrentPlacement placement;
  private final KeyLocks locks;
  private final AtomicBoolean running = new AtomicBoolean();

  VerifyHandler(Index index, VolumeClient client, CurrentPlacement placement, KeyLocks locks) {
    this.index = index;
    this.client = client;
    this.placement = placement;
    this.locks = locks;
  }

  void handle(HttpServerExchange exchange, KeyRequest request) throws Exception {
    Duration grace;
    try {
      grace = new DurationConverter().convert(request.query().getOrDefault("grace", "1h"));
    } catch (RuntimeException e) {
      throw new HttpError(ErrorCode.BAD_PARAMETER, "grace: " + e.getMessage());
    }
    if (!running.compareAndSet(false, true)) {
      throw new HttpError(ErrorCode.VERIFY_RUNNING, "a verify is already running on this master");
    }
    try {
      exchange.startBlocking();
      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
      // The outcome, for a program, in a trailer after the text: the problems left after repairs.
      HeaderMap trailers = new HeaderMap();
      exchange.putAttachment(HttpAttachments.RESPONSE_TRAILER_SUPPLIER, () -> trailers);
      OutputStream out = exchange.getOutputStream();
      Verifier.Options options =
          new Verifier.Options(
              request.has("repair"), grace, request.has("md5"), Pool.defaultWorkers());
      Verifier verifier =
          new Verifier(
              index,
              client,
              placement.effective(),
              options,
              locks::tryTake,
              line -> write(out, line),
              Verifier.Listener.NONE);
      Verifier.Report report = verifier.run();
      // done before the client sees the end: one that verifies again at once must not get a 409
      running.set(false);
      LOG.info(report.summary());
      trailers.put(Protocol.VERIFY_REMAINING, report.remaining());
      write(out, report.summary());
      out.close(); // ends the chunked response, with the trailer
    } finally {
      running.set(false);
    }
  }

  private static void write(OutputStream out, String line) {
    synchronized (out) {
      try {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("the verify client went away", e);
      }
    }
  }
}
