package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mkv.http.Protocol;
import mkv.layout.KeyPath;
import mkv.layout.Placement;
import mkv.s3.auth.Credentials;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway beside its volumes ({@code --local-volume}): values sent from the volumes' files, the
 * file the master's record names (an overwrite's staged copy too), a copy missing on disk relayed
 * from another replica, and a directory that is not the volume's refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalReadTest {
  @TempDir static Path tmp;
  static S3Fixture s3;
  static TestSigner client;

  @BeforeAll
  static void start() throws IOException {
    s3 = S3Fixture.start(tmp, Duration.ofHours(24), true);
    client = s3.signer();
    assertEquals(200, client.call("PUT", "/near", null).code());
  }

  @AfterAll
  static void stop() throws IOException {
    s3.close();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The gateway's count of GetObject bodies sent from {@code source} (local or relayed). */
  static double bodies(String endpoint, String source) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^s3_get_bodies_total\\{source=\"" + source + "\",?\\} ([0-9.E]+)$")
            .matcher(Http.get(endpoint + Protocol.METRICS).text());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void valuesAreSentFromTheVolumesFiles() throws IOException {
    byte[] value = random(3 << 20, 1);
    assertEquals(200, client.call("PUT", "/near/big", value).code());
    double local = bodies(s3.endpoint(), "local");
    double relayed = bodies(s3.endpoint(), "relayed");

    Reply whole = client.call("GET", "/near/big", null);
    assertEquals(200, whole.code(), whole.text());
    assertArrayEquals(value, whole.body());
    Reply range = client.call("GET", "/near/big", null, "Range", "bytes=1000-1999");
    assertEquals(206, range.code(), range.text());
    assertArrayEquals(Arrays.copyOfRange(value, 1000, 2000), range.body());
    Reply tail = client.call("GET", "/near/big", null, "Range", "bytes=-10");
    assertArrayEquals(Arrays.copyOfRange(value, value.length - 10, value.length), tail.body());

    assertEquals(local + 3, bodies(s3.endpoint(), "local"));
    assertEquals(relayed, bodies(s3.endpoint(), "relayed"));
  }

  @Test
  void anOverwriteIsReadFromTheFileTheRecordNames() throws IOException {
    byte[] first = random(64 * 1024, 2);
    byte[] second = random(64 * 1024, 3); // same size: only the right file gives the right bytes
    assertEquals(200, client.call("PUT", "/near/over", first).code());
    assertArrayEquals(first, client.call("GET", "/near/over", null).body());
    assertEquals(200, client.call("PUT", "/near/over", second).code());
    // staged at first, then moved home after the grace (500 ms): the new value throughout
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < until) {
      assertArrayEquals(second, client.call("GET", "/near/over", null).body());
    }
  }

  @Test
  void aCopyMissingOnDiskIsRelayedFromAnotherReplica() throws IOException {
    byte[] value = random(10_000, 4);
    assertEquals(200, client.call("PUT", "/near/lost", value).code());
    List<String> replicas =
        List.of(Http.get(s3.cluster.url("/near/lost")).header("Key-Volumes").split(","));
    // a gateway that reads only the first replica's volume, whose copy is gone
    String lost = replicas.get(0);
    int volume = s3.cluster.addresses().indexOf(Placement.server(lost));
    Files.delete(
        s3.cluster
            .volumeDir(volume)
            .resolve((Placement.subvolume(lost) + KeyPath.of("/near/lost")).substring(1)));
    try (S3Server one =
        S3Server.start(
            S3Config.local(
                    s3.cluster.master().baseUrl(),
                    Credentials.of(S3Fixture.ACCESS, S3Fixture.SECRET))
                .localVolumes(S3Fixture.localVolumes(s3.cluster, volume))
                .build())) {
      TestSigner c = new TestSigner(one.baseUrl(), S3Fixture.ACCESS, S3Fixture.SECRET);
      Reply r = c.call("GET", "/near/lost", null);
      assertEquals(200, r.code(), r.text());
      assertArrayEquals(value, r.body());
      assertEquals(1, bodies(one.baseUrl(), "relayed"));
      assertEquals(0, bodies(one.baseUrl(), "local"));
    }
  }

  @Test
  void theCommonRequestsNeedNoWorkerThread() throws Exception {
    byte[] value = random(50_000, 5);
    assertEquals(200, client.call("PUT", "/near/io", value).code());
    try (S3Server one =
        S3Server.start(
            S3Config.local(
                    s3.cluster.master().baseUrl(),
                    Credentials.of(S3Fixture.ACCESS, S3Fixture.SECRET))
                .workerThreads(1)
                .localVolumes(S3Fixture.localVolumes(s3.cluster, 0, 1, 2))
                .build())) {
      TestSigner c = new TestSigner(one.baseUrl(), S3Fixture.ACCESS, S3Fixture.SECRET);
      assertEquals(200, c.call("HEAD", "/near", null).code()); // the bucket, known from now on
      // a large PutObject whose body stops coming holds the one worker thread
      try (java.net.Socket held = c.rawPut("/near/held", 1_000_000, "started")) {
        okhttp3.OkHttpClient probe =
            Http.CLIENT.newBuilder().readTimeout(Duration.ofSeconds(1)).build();
        // far below the upload's stall time-out (30 s), which would free the worker
        okhttp3.OkHttpClient quick =
            Http.CLIENT.newBuilder().readTimeout(Duration.ofSeconds(5)).build();
        // proof the worker is taken (once the upload reaches it): a listing, which needs one, gets
        // no answer
        assertTrue(
            Http.eventually(
                Duration.ofSeconds(10),
                () -> {
                  try {
                    probe.newCall(c.request("GET", "/near?list-type=2", null)).execute().close();
                    return false;
                  } catch (java.io.InterruptedIOException noAnswer) {
                    return true;
                  }
                }),
            "the stalled upload never held the worker");
        try (okhttp3.Response r = quick.newCall(c.request("GET", "/near/io", null)).execute()) {
          assertEquals(200, r.code());
          assertArrayEquals(value, r.body().bytes());
        }
        try (okhttp3.Response r = quick.newCall(c.request("HEAD", "/near/io", null)).execute()) {
          assertEquals(200, r.code());
        }
        try (okhttp3.Response r =
            quick.newCall(c.request("PUT", "/near/io-small", value)).execute()) {
          assertEquals(200, r.code());
        }
      }
      assertArrayEquals(value, client.call("GET", "/near/io-small", null).body());
    }
  }

  @Test
  void aDirectoryThatIsNotTheVolumesIsRefused() throws IOException {
    S3Config.Builder base =
        S3Config.local(
            s3.cluster.master().baseUrl(), Credentials.of(S3Fixture.ACCESS, S3Fixture.SECRET));
    String wrong = s3.cluster.addresses().get(0) + "=" + s3.cluster.volumeDir(1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Server.start(base.localVolumes(List.of(wrong)).build()).close());
    assertTrue(
        e.getMessage().contains("does not serve the files of this directory"), e.getMessage());
    String absent = s3.cluster.addresses().get(0) + "=" + tmp.resolve("nowhere");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Server.start(base.localVolumes(List.of(absent)).build()).close());
    assertTrue(e.getMessage().contains("no such directory"), e.getMessage());
    try (var files = Files.list(s3.cluster.volumeDir(1))) {
      assertTrue(
          files.noneMatch(f -> f.getFileName().toString().startsWith("_mkv-probe-")),
          "the probe file is left behind");
    }
  }
}
