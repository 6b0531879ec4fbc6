package mkv.s3.auth;

/**
 * A request whose signature checked out: who signed it, and what its body must prove.
 *
 * @param payload the {@code x-amz-content-sha256} the signature covers: a hex SHA-256 the body must
 *     hash to, {@link SigV4#UNSIGNED_PAYLOAD}, or one of the streaming modes
 * @param signingKey, amzDate, scope, seedSignature what aws-chunked chunk signatures chain from
 */
public record Auth(
    String accessKey,
    String payload,
    byte[] signingKey,
    String amzDate,
    String scope,
    String seedSignature) {

  /** Whether the body is aws-chunked (signed chunks or not). */
  public boolean streaming() {
    return payload.startsWith("STREAMING-");
  }

  /** Whether each chunk carries a signature to check. */
  public boolean signedChunks() {
    return payload.equals(SigV4.STREAMING) || payload.equals(SigV4.STREAMING_TRAILER);
  }

  /** Whether trailing headers follow the last chunk. */
  public boolean trailer() {
    return payload.endsWith("-TRAILER");
  }

  /** The SHA-256 the whole body must have, or null when the signature does not cover it. */
  public String bodySha256() {
    return payload.length() == 64 ? payload : null;
  }
}
