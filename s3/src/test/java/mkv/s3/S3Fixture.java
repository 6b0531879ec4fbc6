package mkv.s3;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mkv.master.MasterConfig;
import mkv.s3.auth.Credentials;
import mkv.testing.TestCluster;

/**
 * A cluster (3 volumes, 2 replicas) and a gateway in front of it, on 127.0.0.1, for the gateway's
 * tests.
 */
final class S3Fixture implements AutoCloseable {
  static final String ACCESS = "AKIAMKVTESTKEY000001";
  static final String SECRET = "mkv-test-secret/0123456789abcdefghijklmnop";

  final TestCluster cluster;
  final S3Server gateway;

  private S3Fixture(TestCluster cluster, S3Server gateway) {
    this.cluster = cluster;
    this.gateway = gateway;
  }

  static S3Fixture start(Path tmp) throws IOException {
    return start(tmp, Duration.ofHours(24));
  }

  static S3Fixture start(Path tmp, Duration uploadGrace) throws IOException {
    return start(tmp, uploadGrace, false);
  }

  /**
   * @param localReads whether the gateway reads every volume's directory itself ({@code
   *     --local-volume})
   */
  static S3Fixture start(Path tmp, Duration uploadGrace, boolean localReads) throws IOException {
    TestCluster c = TestCluster.volumes(tmp, 3);
    try {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .host("127.0.0.1")
              .replicas(2)
              .subvolumes(4)
              .moveGrace(Duration.ofMillis(500))
              .build());
      S3Server g =
          S3Server.start(
              S3Config.local(c.master().baseUrl(), Credentials.of(ACCESS, SECRET))
                  .uploadGrace(uploadGrace)
                  .localVolumes(localReads ? localVolumes(c, 0, 1, 2) : List.of())
                  .build());
      return new S3Fixture(c, g);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** {@code --local-volume} specs of the cluster's volumes {@code indexes}. */
  static List<String> localVolumes(TestCluster c, int... indexes) {
    List<String> specs = new ArrayList<>();
    for (int i : indexes) {
      specs.add(c.addresses().get(i) + "=" + c.volumeDir(i));
    }
    return specs;
  }

  String endpoint() {
    return gateway.baseUrl();
  }

  TestSigner signer() {
    return new TestSigner(endpoint(), ACCESS, SECRET);
  }

  @Override
  public void close() throws IOException {
    gateway.close();
    cluster.close();
  }
}
