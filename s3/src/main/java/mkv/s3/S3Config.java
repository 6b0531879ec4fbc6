package mkv.s3;

import java.time.Duration;
import java.util.List;
import mkv.s3.auth.Credentials;

/**
 * How a gateway runs; validated when built.
 *
 * @param master the master's base URL, {@code http://host:port}
 * @param region the only region clients may sign for, or null to accept any
 * @param stallTimeout a transfer to or from the master, a volume or a client that makes no progress
 *     for this long fails
 * @param uploadGrace a multipart upload untouched this long is abandoned: its parts are deleted
 * @param accessLog file to log each request to (common log format), {@code -} for stderr, or null
 * @param localVolumes {@code HOST:PORT=DIR} of volumes whose files this gateway reads itself
 * @param domain the domain of virtual-hosted-style requests ({@code Host: BUCKET.DOMAIN}), or null
 *     for path-style only
 */
public record S3Config(
    String host,
    int port,
    String master,
    Credentials credentials,
    String region,
    int workerThreads,
    Duration connectTimeout,
    Duration stallTimeout,
    Duration uploadGrace,
    String accessLog,
    List<String> localVolumes,
    String domain) {

  public S3Config {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    if (master == null || !master.matches("http://[^/]+")) {
      throw new IllegalArgumentException("--master must be http://HOST:PORT, got " + master);
    }
    if (credentials == null) {
      throw new IllegalArgumentException("no credentials");
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("--workers must be at least 1");
    }
    if (uploadGrace.isNegative() || uploadGrace.isZero()) {
      throw new IllegalArgumentException("--upload-grace must be positive");
    }
    localVolumes = List.copyOf(localVolumes);
    if (domain != null && !domain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          "--domain must be a lower-case DNS name such as s3.example.com, got " + domain);
    }
  }

  /**
   * A gateway on 127.0.0.1, any free port, in front of {@code master}, with defaults for the rest.
   */
  public static S3Config local(String master, Credentials credentials) {
    return new S3Config(
        "127.0.0.1",
        0,
        master,
        credentials,
        null,
        64,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofHours(24),
        null,
        List.of(),
        null);
  }

  /** This configuration with multipart uploads abandoned after {@code grace}. */
  public S3Config withUploadGrace(Duration grace) {
    return new S3Config(
        host,
        port,
        master,
        credentials,
        region,
        workerThreads,
        connectTimeout,
        stallTimeout,
        grace,
        accessLog,
        localVolumes,
        domain);
  }

  /** This configuration accepting signatures for {@code region} only. */
  public S3Config withRegion(String only) {
    return new S3Config(
        host,
        port,
        master,
        credentials,
        only,
        workerThreads,
        connectTimeout,
        stallTimeout,
        uploadGrace,
        accessLog,
        localVolumes,
        domain);
  }

  /** This configuration also taking virtual-hosted-style requests for {@code BUCKET.domain}. */
  public S3Config withDomain(String domain) {
    return new S3Config(
        host,
        port,
        master,
        credentials,
        region,
        workerThreads,
        connectTimeout,
        stallTimeout,
        uploadGrace,
        accessLog,
        localVolumes,
        domain);
  }

  /** This configuration reading the files of {@code volumes} ({@code HOST:PORT=DIR}) itself. */
  public S3Config withLocalVolumes(List<String> volumes) {
    return new S3Config(
        host,
        port,
        master,
        credentials,
        region,
        workerThreads,
        connectTimeout,
        stallTimeout,
        uploadGrace,
        accessLog,
        volumes,
        domain);
  }
}
