package mkv.volume;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/**
 * Refuses the writes and deletes of a master that is no longer leader. Each master request carries
 * {@code Mkv-Fence: EPOCH.TERM}: the group's formation time and the leader's Raft term. The volume
 * keeps the highest it has seen (on disk, in {@code .fence}) and refuses a lower one, both when a
 * request arrives and at the moment its rename or unlink takes effect, under one lock: so a leader
 * frozen mid-write whose successor has since written here cannot land its rename late, over the
 * successor's value. Requests without the header (tools, other clients) are not fenced.
 */
final class Fence {
  static final HttpString HEADER = new HttpString("Mkv-Fence");

  /** A fencing token: compared by epoch, then term. */
  record Token(long epoch, long term) implements Comparable<Token> {
    static final Token NONE = new Token(0, 0);

    static Token parse(String header) {
      int dot = header.indexOf('.');
      try {
        if (dot > 0) {
          return new Token(
              Long.parseLong(header.substring(0, dot)), Long.parseLong(header.substring(dot + 1)));
        }
      } catch (NumberFormatException malformed) {
        // answered below
      }
      throw new HttpError(
          ErrorCode.BAD_PARAMETER, "Mkv-Fence must be EPOCH.TERM, not '" + header + "'");
    }

    @Override
    public int compareTo(Token o) {
      int c = Long.compare(epoch, o.epoch);
      return c != 0 ? c : Long.compare(term, o.term);
    }

    @Override
    public String toString() {
      return epoch + "." + term;
    }
  }

  /** An action on the disk that the fence lets happen or not. */
  interface Action<T> {
    T run() throws IOException;
  }

  private final Path file;
  private Token highest; // guarded by this

  Fence(Path root) {
    this.file = root.resolve(".fence");
    Token stored = Token.NONE;
    try {
      stored = Token.parse(Files.readString(file, StandardCharsets.US_ASCII).strip());
    } catch (NoSuchFileException e) {
      // never fenced
    } catch (IOException | HttpError e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
    this.highest = stored;
  }

  /**
   * The request's token, once checked (and recorded when it is the highest yet); null for a request
   * without one.
   *
   * @throws HttpError 409 when a later master has been here
   */
  Token admit(HttpServerExchange exchange) throws IOException {
    String header = exchange.getRequestHeaders().getFirst(HEADER);
    if (header == null) {
      return null;
    }
    Token t = Token.parse(header);
    synchronized (this) {
      check(t);
      if (t.compareTo(highest) > 0) {
        store(t);
      }
    }
    return t;
  }

  /** Runs {@code action} if {@code token} (null: unfenced) is still the highest, atomically. */
  <T> T guard(Token token, Action<T> action) throws IOException {
    if (token == null) {
      return action.run();
    }
    synchronized (this) {
      check(token);
      return action.run();
    }
  }

  private void check(Token t) {
    if (t.compareTo(highest) < 0) {
      throw new HttpError(
          ErrorCode.FENCED,
          "fenced: this master's term " + t + " is older than " + highest + ", a later leader's");
    }
  }

  /** Raises the fence, on disk first: a restarted volume still refuses the deposed master. */
  private void store(Token t) throws IOException {
    Path tmp = file.resolveSibling(".fence.tmp");
    Files.writeString(tmp, t + "\n", StandardCharsets.US_ASCII);
    try (var c = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      c.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    highest = t;
  }
}
