package mkv.http;

import io.undertow.util.HttpString;
import java.util.Set;

/**
 * The protocol between our processes, written once: the paths a master answers itself, the headers
 * master, volumes, gateway and tools send each other beyond minikeyvalue's API, and the limits they
 * share. Servers and clients name them from here (a client through {@code toString()}).
 */
public final class Protocol {
  private Protocol() {}

  /** The master's view of each volume (JSON). */
  public static final String VOLUMES = "/_volumes";

  /** The master's verify (admin). */
  public static final String VERIFY = "/_verify";

  /** The master's online rebalance (admin to start, JSON to follow). */
  public static final String REBALANCE = "/_rebalance";

  /** Liveness: 200 while the process serves. */
  public static final String HEALTH = "/_health";

  /** Readiness: 200 while a write can succeed. */
  public static final String READY = "/_ready";

  /** The status page; with {@code ?json}, what it and {@code mkv top} read. */
  public static final String STATUS = "/_status";

  /** Prometheus text, on every server. */
  public static final String METRICS = "/metrics";

  private static final Set<String> RESERVED =
      Set.of(VOLUMES, VERIFY, REBALANCE, HEALTH, READY, STATUS, METRICS);

  /** Whether {@code key} is a path the master answers itself, so that it cannot be stored. */
  public static boolean isReserved(String key) {
    return (key.startsWith("/_") || key.equals(METRICS)) && RESERVED.contains(key); // cheap first
  }

  /** On a failure (4xx, 5xx): its {@link ErrorCode}. */
  public static final HttpString ERROR = new HttpString("Mkv-Error");

  /**
   * The value's md5: sent by the master (hex) on a 302 and a 201; sent by a writer (hex, or the
   * base64 of RFC 1864) with a PUT, to be checked. Written as the master sends it; names are
   * case-insensitive.
   */
  public static final HttpString CONTENT_MD5 = new HttpString("Content-Md5");

  /** On a master's 302: the record's replicas, {@code host:port[/svXX]}, comma-separated. */
  public static final HttpString KEY_VOLUMES = new HttpString("Key-Volumes");

  /** On a master's 302: {@code balanced} or {@code unbalanced} against the current placement. */
  public static final HttpString KEY_BALANCE = new HttpString("Key-Balance");

  /** Asks the master for the three below on its 302 (what the gateway answers HEAD with). */
  public static final HttpString DETAIL = new HttpString("Mkv-Detail");

  /** The value's size in bytes, -1 when unknown. */
  public static final HttpString SIZE = new HttpString("Mkv-Size");

  /** When the value was written, epoch milliseconds, 0 when unknown. */
  public static final HttpString CREATED = new HttpString("Mkv-Created");

  /** Text a writer keeps with the value (a PUT), returned by a detailed read. */
  public static final HttpString META = new HttpString("Mkv-Meta");

  /** {@code 1} on a PUT: it may replace a live key. */
  public static final HttpString OVERWRITE = new HttpString("Mkv-Overwrite");

  /** {@code 1} on a PUT: an empty value, rather than a 411. */
  public static final HttpString EMPTY = new HttpString("Mkv-Empty");

  /** {@code 1} on a volume's 507 or 503 to {@code HEAD /}: it refuses writes, serves reads. */
  public static final HttpString READ_ONLY = new HttpString("Mkv-Read-Only");

  /** The trailer of {@code POST /_verify}: the problems left after repairs. */
  public static final HttpString VERIFY_REMAINING = new HttpString("Mkv-Verify-Remaining");

  /**
   * The largest body each server receives whole and handles on its IO thread (a master's or a
   * volume's PUT, the gateway's PutObject); larger ones stream through a worker thread.
   */
  public static final int SMALL_BODY = 128 * 1024;
}
