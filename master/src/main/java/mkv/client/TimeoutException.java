package mkv.client;

import java.io.IOException;

/**
 * A server made no progress within one of our time-outs: names the server, what the call was doing
 * and the bound. Our clients throw it where the time-out fires, so that a time-out is known by its
 * type, never guessed from a message, a cause or the time elapsed.
 */
public final class TimeoutException extends IOException {
  private final String server;
  private final String phase;

  /**
   * @param server {@code host:port}
   * @param phase what timed out, with its bound: {@code connecting for PUT (1000 ms)}, {@code
   *     waiting for the answer to GET (30000 ms)}
   * @param cause what the library underneath threw, if anything
   */
  public TimeoutException(String server, String phase, Throwable cause) {
    super(server + ": timed out " + phase, cause);
    this.server = server;
    this.phase = phase;
  }

  public String server() {
    return server;
  }

  /** What the call was doing when the time-out fired, with its bound. */
  public String phase() {
    return phase;
  }
}
