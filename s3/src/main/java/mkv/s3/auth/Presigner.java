package mkv.s3.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Presigned URLs (SigV4 in the query string, {@code UNSIGNED-PAYLOAD}) for clients of the gateway
 * that are not an SDK: the load generator and the tests. The gateway checks them like any other.
 */
public final class Presigner {
  private static final DateTimeFormatter AMZ =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String host;
  private final String access;
  private final String secret;
  private final String region;

  /**
   * @param host the gateway's {@code host:port}, as the client sends it in {@code Host}
   */
  public Presigner(String host, String access, String secret, String region) {
    this.host = host;
    this.access = access;
    this.secret = secret;
    this.region = region;
  }

  /**
   * The path and query of a presigned {@code method} on {@code rawPath} (already percent-encoded),
   * valid for {@code valid} from now.
   */
  public String pathAndQuery(String method, String rawPath, Duration valid) {
    String amzDate = AMZ.format(Instant.now());
    String scope = amzDate.substring(0, 8) + "/" + region + "/s3/aws4_request";
    String query =
        "X-Amz-Algorithm="
            + SigV4.ALGORITHM
            + "&X-Amz-Credential="
            + SigV4.uriEncode(access + "/" + scope, true)
            + "&X-Amz-Date="
            + amzDate
            + "&X-Amz-Expires="
            + valid.toSeconds()
            + "&X-Amz-SignedHeaders=host";
    String canonical =
        SigV4.canonicalRequest(
            method,
            rawPath,
            SigV4.canonicalQuery(query, null),
            Map.of("host", List.of(host)),
            List.of("host"),
            SigV4.UNSIGNED_PAYLOAD);
    byte[] key = SigV4.signingKey(secret, amzDate.substring(0, 8), region, "s3");
    return rawPath
        + "?"
        + query
        + "&X-Amz-Signature="
        + SigV4.hmacHex(key, SigV4.stringToSign(amzDate, scope, canonical));
  }
}
