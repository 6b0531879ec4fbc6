package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * boto3 (Debian's python3-boto3, installed by .ci/run) against the gateway, through {@code
 * boto3_check.py}: upload_fileobj/download_fileobj of 50 MiB in 8 MiB parts, a list_objects_v2
 * paginator over 2,500 keys, presigned PUT and GET used with curl, a wrong secret and a Content-MD5
 * mismatch refused, an overwrite with metadata. Path-style addressing.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 170, unit = TimeUnit.SECONDS)
class Boto3Test {
  @TempDir Path tmp;

  @Test
  void boto3RunsItsChecksAgainstTheGateway() throws Exception {
    Path python = withBoto3("/usr/bin/python3");
    assumeTrue(python != null, "Debian's python3-boto3 is not installed (.ci/run installs it)");
    Path script = tmp.resolve("boto3_check.py");
    try (InputStream in = Boto3Test.class.getResourceAsStream("boto3_check.py")) {
      Files.copy(in, script);
    }
    Path work = Files.createDirectories(tmp.resolve("work"));
    try (S3Fixture s3 = S3Fixture.start(tmp.resolve("cluster"))) {
      ClientProcess.Result r =
          ClientProcess.run(
              tmp,
              Map.of(
                  "MKV_S3_ENDPOINT",
                  s3.endpoint(),
                  "AWS_ACCESS_KEY_ID",
                  S3Fixture.ACCESS,
                  "AWS_SECRET_ACCESS_KEY",
                  S3Fixture.SECRET,
                  "MKV_S3_BUCKET",
                  "boto",
                  "MKV_S3_WORK",
                  work.toString(),
                  "AWS_CONFIG_FILE",
                  tmp.resolve("none").toString(),
                  "AWS_SHARED_CREDENTIALS_FILE",
                  tmp.resolve("none").toString()),
              150,
              List.of(python.toString(), script.toString()));
      r.expectOk("boto3_check.py");
      assertTrue(r.out().contains("ok overwrite with metadata and content type"), r.out());
    }
  }

  /** {@code python} if it can import boto3, else null. */
  static Path withBoto3(String python) throws IOException, InterruptedException {
    Path p = ClientProcess.find(python);
    if (p == null) {
      return null;
    }
    Process check =
        new ProcessBuilder(p.toString(), "-c", "import boto3").redirectErrorStream(true).start();
    check.getInputStream().readAllBytes();
    return check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0 ? p : null;
  }
}
