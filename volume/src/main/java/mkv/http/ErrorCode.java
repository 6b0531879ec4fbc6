package mkv.http;

import java.util.Locale;

/**
 * Why a request failed, for programs: each 4xx or 5xx our servers answer carries one in {@link
 * Protocol#ERROR} ({@code Mkv-Error: key-busy}), beside the one-line message for people. Clients
 * map the code, never the message. Each code has one status; a code a client does not know (from a
 * newer server) reads as none, and its status decides.
 */
public enum ErrorCode {
  /** 400: the key is empty, or its percent-encoding is malformed or not UTF-8. */
  BAD_KEY(400),
  /** 400: a query parameter is malformed ({@code limit}, {@code grace}, {@code volumes}...). */
  BAD_PARAMETER(400),
  /** 400: {@code Mkv-Meta} is not 1 to 8192 printable ASCII characters without spaces. */
  BAD_META(400),
  /** 400: {@code Content-MD5} is neither the base64 of 16 bytes nor 32 hex digits. */
  INVALID_DIGEST(400),
  /** 400: the body's md5 differs from the request's {@code Content-MD5}; nothing was stored. */
  BAD_DIGEST(400),
  /** 400: the key is a path the master answers itself ({@code /_volumes}, {@code /metrics}...). */
  RESERVED_KEY(400),
  /** 400: the client's body broke off, stalled, or was not the length it announced. */
  INCOMPLETE_BODY(400),
  /** 400: a volume path that names no file (a directory, {@code ..}, a bad escape). */
  BAD_PATH(400),
  /** 403: an admin endpoint, from a client not allowed to use it. */
  FORBIDDEN(403),
  /** 403: a PUT of a live key without {@code Mkv-Overwrite}. */
  KEY_EXISTS(403),
  /** 403: a DELETE of a live key on a master run with {@code --protect}: UNLINK it first. */
  PROTECTED(403),
  /** 404: no such key (or file, on a volume), or it is unlinked. */
  NOT_FOUND(404),
  /** 405: a method this server does not answer. */
  METHOD_NOT_ALLOWED(405),
  /** 409: a write or delete of the key is in progress (or the key was written meanwhile). */
  KEY_BUSY(409),
  /** 409: a verify is already running on this master. */
  VERIFY_RUNNING(409),
  /** 409: on a volume, a directory where a file goes or the reverse. */
  PATH_CONFLICT(409),
  /**
   * 409: on a volume, a master's write or delete whose {@code Mkv-Fence} is older than one already
   * seen: that master is no longer leader.
   */
  FENCED(409),
  /** 411: an empty body without {@code Mkv-Empty: 1}. */
  NO_BODY(411),
  /** 414: the key's file name on a volume would exceed 255 bytes. */
  TOO_LONG(414),
  /** 416: on a volume, a range past the end of the file. */
  BAD_RANGE(416),
  /** 500: a fault of the server itself (the message says what). */
  INTERNAL(500),
  /** 500: on a volume, its disk failed a read or write (or refused it). */
  IO_ERROR(500),
  /** 502: a volume answered an error, or broke the connection. */
  VOLUME_FAILED(502),
  /** 503: a volume the request needs is down or takes no writes, so it was not tried. */
  VOLUME_DOWN(503),
  /** 503: the key is being moved by a rebalance and the move outlasted the wait; retry. */
  KEY_MOVING(503),
  /** 503: {@code /_ready}: fewer volumes take writes than a write needs, or the index fails. */
  NOT_READY(503),
  /** 503: the masters have no leader (an election is under way), or this one lost its lead. */
  NO_LEADER(503),
  /** 504: a volume did not answer within {@code --voltimeout} or {@code --stall-timeout}. */
  VOLUME_TIMEOUT(504),
  /** 507: a volume's disk is full. */
  VOLUME_FULL(507);

  private final int status;
  private final String code;

  ErrorCode(int status) {
    this.status = status;
    this.code = name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The HTTP status this failure is answered with. */
  public int status() {
    return status;
  }

  /** The value of {@code Mkv-Error}: {@code bad-digest}, {@code key-busy}... */
  public String code() {
    return code;
  }

  /** The code a {@code Mkv-Error} value names; null when absent or unknown. */
  public static ErrorCode of(String value) {
    if (value == null) {
      return null;
    }
    for (ErrorCode c : values()) {
      if (c.code.equals(value.strip())) {
        return c;
      }
    }
    return null;
  }
}
