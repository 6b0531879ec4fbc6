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
   * A gateway on 127.0.0.1, any free port, in front of {@code master}, with defaults for the rest
   * (those of {@code ./mkv s3} but the address), to change before {@link Builder#build}.
   */
  public static Builder local(String master, Credentials credentials) {
    return new Builder(master, credentials);
  }

  /** An S3Config under construction; {@link #build} validates it. */
  public static final class Builder {
    private final String master;
    private final Credentials credentials;
    private String host = "127.0.0.1";
    private int port;
    private String region;
    private int workerThreads = 64;
    private Duration connectTimeout = Duration.ofSeconds(1);
    private Duration stallTimeout = Duration.ofSeconds(30);
    private Duration uploadGrace = Duration.ofHours(24);
    private String accessLog;
    private List<String> localVolumes = List.of();
    private String domain;

    private Builder(String master, Credentials credentials) {
      this.master = master;
      this.credentials = credentials;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    /** Accept signatures for this region only (null: any). */
    public Builder region(String v) {
      region = v;
      return this;
    }

    public Builder workerThreads(int v) {
      workerThreads = v;
      return this;
    }

    public Builder connectTimeout(Duration v) {
      connectTimeout = v;
      return this;
    }

    public Builder stallTimeout(Duration v) {
      stallTimeout = v;
      return this;
    }

    public Builder uploadGrace(Duration v) {
      uploadGrace = v;
      return this;
    }

    public Builder accessLog(String v) {
      accessLog = v;
      return this;
    }

    /** {@code HOST:PORT=DIR} of the volumes whose files the gateway reads itself. */
    public Builder localVolumes(List<String> v) {
      localVolumes = v;
      return this;
    }

    /** Also take virtual-hosted-style requests for {@code BUCKET.domain}. */
    public Builder domain(String v) {
      domain = v;
      return this;
    }

    public S3Config build() {
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
  }
}
