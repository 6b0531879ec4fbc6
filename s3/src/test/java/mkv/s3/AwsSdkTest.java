package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mkv.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The AWS SDK for Java v2 (on the JDK's HTTP client) against the gateway: what an application
 * embedding the SDK does, with the SDK's defaults (aws-chunked bodies with signed chunks and a
 * checksum trailer, multipart, paginators, presigned URLs).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AwsSdkTest {
  @TempDir static Path tmp;
  static S3Fixture s3;
  static S3Client sdk;

  @BeforeAll
  static void start() throws IOException {
    s3 = S3Fixture.start(tmp);
    sdk = client(S3Fixture.SECRET);
    sdk.createBucket(b -> b.bucket("sdk"));
  }

  @AfterAll
  static void stop() throws IOException {
    sdk.close();
    s3.close();
  }

  static S3Client client(String secret) {
    return S3Client.builder()
        .endpointOverride(URI.create(s3.endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Fixture.ACCESS, secret)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void putGetHeadKeepTheBytesTypeAndMetadata() throws IOException {
    byte[] value = random(3 << 20, 1);
    sdk.putObject(
        b ->
            b.bucket("sdk")
                .key("dir/value.bin")
                .contentType("application/x-test")
                .metadata(Map.of("colour", "blue")),
        RequestBody.fromBytes(value));
    HeadObjectResponse head = sdk.headObject(b -> b.bucket("sdk").key("dir/value.bin"));
    assertEquals(value.length, head.contentLength());
    assertEquals("application/x-test", head.contentType());
    assertEquals(Map.of("colour", "blue"), head.metadata());

    ResponseBytes<GetObjectResponse> got =
        sdk.getObjectAsBytes(b -> b.bucket("sdk").key("dir/value.bin"));
    assertArrayEquals(value, got.asByteArray());
    assertArrayEquals(value, Http.read(s3.cluster.url("/sdk/dir/value.bin")), "the plain API");
    byte[] range =
        sdk.getObjectAsBytes(b -> b.bucket("sdk").key("dir/value.bin").range("bytes=1000-1999"))
            .asByteArray();
    assertArrayEquals(Arrays.copyOfRange(value, 1000, 2000), range);

    sdk.putObject(b -> b.bucket("sdk").key("dir/value.bin"), RequestBody.fromString("replaced"));
    assertEquals(
        "replaced", sdk.getObjectAsBytes(b -> b.bucket("sdk").key("dir/value.bin")).asUtf8String());
  }

  @Test
  void multipartUploadCompletesIntoOneObject() {
    byte[][] parts = {random(5 << 20, 2), random(5 << 20, 3), random(1 << 20, 4)};
    String id = sdk.createMultipartUpload(b -> b.bucket("sdk").key("mp/whole")).uploadId();
    List<CompletedPart> done = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      int n = i + 1;
      String etag =
          sdk.uploadPart(
                  b -> b.bucket("sdk").key("mp/whole").uploadId(id).partNumber(n),
                  RequestBody.fromBytes(parts[n - 1]))
              .eTag();
      done.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
    }
    assertEquals(
        3, sdk.listParts(b -> b.bucket("sdk").key("mp/whole").uploadId(id)).parts().size());
    sdk.completeMultipartUpload(
        b -> b.bucket("sdk").key("mp/whole").uploadId(id).multipartUpload(m -> m.parts(done)));
    byte[] whole = sdk.getObjectAsBytes(b -> b.bucket("sdk").key("mp/whole")).asByteArray();
    assertEquals(11 << 20, whole.length);
    assertArrayEquals(parts[0], Arrays.copyOfRange(whole, 0, 5 << 20));
    assertArrayEquals(parts[2], Arrays.copyOfRange(whole, 10 << 20, 11 << 20));
  }

  @Test
  void paginatorDelimiterCopyAndBatchDelete() {
    for (int i = 0; i < 120; i++) {
      String key = String.format("list/%s/%03d", i % 2 == 0 ? "even" : "odd", i);
      sdk.putObject(b -> b.bucket("sdk").key(key), RequestBody.fromString(key));
    }
    List<String> keys = new ArrayList<>();
    int pages = 0;
    for (ListObjectsV2Response page :
        sdk.listObjectsV2Paginator(b -> b.bucket("sdk").prefix("list/").maxKeys(50))) {
      pages++;
      page.contents().stream().map(S3Object::key).forEach(keys::add);
    }
    assertEquals(120, keys.size());
    assertEquals(3, pages);
    ListObjectsV2Response top =
        sdk.listObjectsV2(b -> b.bucket("sdk").prefix("list/").delimiter("/"));
    assertEquals(
        List.of("list/even/", "list/odd/"),
        top.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

    sdk.copyObject(
        b ->
            b.sourceBucket("sdk")
                .sourceKey("list/even/000")
                .destinationBucket("sdk")
                .destinationKey("copied"));
    assertEquals(
        "list/even/000", sdk.getObjectAsBytes(b -> b.bucket("sdk").key("copied")).asUtf8String());

    List<ObjectIdentifier> all =
        keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
    DeleteObjectsResponse deleted =
        sdk.deleteObjects(
            b -> b.bucket("sdk").delete(Delete.builder().objects(all.subList(0, 100)).build()));
    assertEquals(100, deleted.deleted().size());
    assertTrue(deleted.errors().isEmpty(), deleted.errors().toString());
    assertEquals(20, sdk.listObjectsV2(b -> b.bucket("sdk").prefix("list/")).keyCount());
    assertThrows(
        NoSuchKeyException.class, () -> sdk.getObject(b -> b.bucket("sdk").key(keys.get(0))));
  }

  @Test
  void presignedGetAndAWrongSecret() throws IOException {
    sdk.putObject(b -> b.bucket("sdk").key("shared"), RequestBody.fromString("for a link"));
    try (S3Presigner presigner =
        S3Presigner.builder()
            .endpointOverride(URI.create(s3.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(S3Fixture.ACCESS, S3Fixture.SECRET)))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .build()) {
      String url =
          presigner
              .presignGetObject(
                  b ->
                      b.signatureDuration(Duration.ofMinutes(5))
                          .getObjectRequest(g -> g.bucket("sdk").key("shared")))
              .url()
              .toString();
      Http.Reply r = Http.get(url);
      assertEquals(200, r.code(), r.text());
      assertEquals("for a link", r.text());
    }
    try (S3Client wrong = client("not-the-secret")) {
      S3Exception e = assertThrows(S3Exception.class, () -> wrong.headBucket(b -> b.bucket("sdk")));
      assertEquals(403, e.statusCode());
      S3Exception put =
          assertThrows(
              S3Exception.class,
              () ->
                  wrong.putObject(b -> b.bucket("sdk").key("never"), RequestBody.fromString("no")));
      assertEquals("SignatureDoesNotMatch", put.awsErrorDetails().errorCode());
    }
    assertThrows(NoSuchKeyException.class, () -> sdk.headObject(b -> b.bucket("sdk").key("never")));
  }
}
