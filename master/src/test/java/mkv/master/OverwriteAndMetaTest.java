package mkv.master;

import static mkv.testing.Http.get;
import static mkv.testing.Http.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import mkv.layout.KeyPath;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import mkv.testing.TestCluster;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headers the S3 gateway writes with: Mkv-Meta, Mkv-Empty, Mkv-Overwrite, and the detailed
 * reads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverwriteAndMetaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static TestCluster cluster;

  @BeforeAll
  static void start() throws IOException {
    cluster = TestCluster.volumes(tmp, 3);
    cluster.startMaster(
        MasterConfig.builder(tmp.resolve("index"), cluster.addresses())
            .host("127.0.0.1")
            .replicas(2)
            .subvolumes(4)
            // a reader redirected just before a switch has the grace to fetch the old copy: on a
            // loaded machine a reader thread can stall past a short one
            .moveGrace(Duration.ofSeconds(3))
            .build());
  }

  @AfterAll
  static void stop() throws IOException {
    cluster.close();
  }

  static Reply put(String key, byte[] body, String... headers) throws IOException {
    Request.Builder b =
        new Request.Builder().url(cluster.url(key)).put(RequestBody.create(body, Http.OCTETS));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return Http.call(b.build());
  }

  static Reply detail(String key) throws IOException {
    return Http.call(
        new Request.Builder().url(cluster.url(key)).header("Mkv-Detail", "1").get().build());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void metaIsKeptAndReturnedOnADetailedRead() throws IOException {
    Reply created =
        put("/meta/a", bytes("hello"), "Mkv-Meta", "content-type=text%2Fplain&x-amz-meta-x=1");
    assertEquals(201, created.code(), created.text());
    assertEquals("5d41402abc4b2a76b9719d911017c592", created.header("Content-Md5"));
    Reply plain = get(cluster.url("/meta/a"));
    assertNull(plain.header("Mkv-Meta"), "a plain GET answers as before");
    Reply r = detail("/meta/a");
    assertEquals(302, r.code());
    assertEquals("content-type=text%2Fplain&x-amz-meta-x=1", r.header("Mkv-Meta"));
    assertEquals("5", r.header("Mkv-Size"));
    assertTrue(Long.parseLong(r.header("Mkv-Created")) > 0);
    assertEquals(400, put("/meta/b", bytes("x"), "Mkv-Meta", "has space").code());
  }

  @Test
  void listWithDetailGivesEntries() throws IOException {
    put("/ld/1", bytes("one"));
    put("/ld/2", bytes("second"), "Mkv-Meta", "m");
    JsonNode page = JSON.readTree(get(cluster.url("/ld/") + "?list&detail&limit=10").body());
    assertEquals("", page.get("next").asText());
    JsonNode e = page.get("entries");
    assertEquals(2, e.size());
    assertEquals("/ld/1", e.get(0).get("key").asText());
    assertEquals(3, e.get(0).get("size").asLong());
    assertEquals(KeyPathMd5.hex("one"), e.get(0).get("md5").asText());
    assertFalse(e.get(0).has("meta"));
    assertEquals("m", e.get(1).get("meta").asText());
    JsonNode streamed = JSON.readTree(get(cluster.url("/ld/") + "?list&detail").body());
    assertEquals(2, streamed.get("entries").size());
  }

  @Test
  void emptyValueNeedsMkvEmpty() throws IOException {
    assertEquals(411, put("/empty/a", new byte[0]).code());
    Reply created = put("/empty/a", new byte[0], "Mkv-Empty", "1");
    assertEquals(201, created.code(), created.text());
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", created.header("Content-Md5"));
    assertArrayEquals(new byte[0], read(cluster.url("/empty/a")));
  }

  @Test
  void overwriteSwitchesToTheNewValueThenMovesItHome() throws IOException {
    assertEquals(201, put("/ow/a", bytes("old value")).code());
    assertEquals(
        403, put("/ow/a", bytes("refused")).code(), "without Mkv-Overwrite, as minikeyvalue");
    Reply over = put("/ow/a", bytes("new value!"), "Mkv-Overwrite", "1", "Mkv-Meta", "v2");
    assertEquals(201, over.code(), over.text());
    assertEquals(KeyPathMd5.hex("new value!"), over.header("Content-Md5"));
    assertEquals("new value!", new String(read(cluster.url("/ow/a")), StandardCharsets.UTF_8));
    assertEquals("v2", detail("/ow/a").header("Mkv-Meta"));
    List<String> home = cluster.config().placement().replicasFor("/ow/a");
    assertTrue(
        Http.eventually(
            Duration.ofSeconds(20),
            () -> String.join(",", home).equals(get(cluster.url("/ow/a")).header("Key-Volumes"))));
    assertEquals("new value!", new String(read(cluster.url("/ow/a")), StandardCharsets.UTF_8));
    assertTrue(
        Http.eventually(Duration.ofSeconds(20), () -> stagedFiles().isEmpty()),
        stagedFiles()::toString);
  }

  @Test
  void failedOverwriteKeepsTheOldValue() throws IOException {
    assertEquals(201, put("/ow/b", bytes("keep me")).code());
    Reply bad =
        put(
            "/ow/b",
            bytes("never stored"),
            "Mkv-Overwrite",
            "1",
            "Content-MD5",
            "00000000000000000000000000000000");
    assertEquals(400, bad.code(), bad.text());
    assertEquals("keep me", new String(read(cluster.url("/ow/b")), StandardCharsets.UTF_8));
    assertTrue(
        Http.eventually(Duration.ofSeconds(20), () -> stagedFiles().isEmpty()),
        stagedFiles()::toString);
  }

  @Test
  void readersDuringOverwritesSeeOneWholeValue() throws Exception {
    byte[] a = new byte[300_000];
    byte[] b = new byte[300_000];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    assertEquals(201, put("/ow/race", a).code());
    AtomicBoolean writing = new AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger sawA =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger sawB =
        new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService readers = Executors.newFixedThreadPool(3);
    List<Future<Integer>> reads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      reads.add(
          readers.submit(
              () -> {
                int n = 0;
                while (writing.get() && n < 10_000) {
                  byte[] got = read(cluster.url("/ow/race"));
                  if (Arrays.equals(got, a)) {
                    sawA.incrementAndGet();
                  } else if (Arrays.equals(got, b)) {
                    sawB.incrementAndGet();
                  } else {
                    throw new AssertionError("a read mixed two values");
                  }
                  n++;
                }
                return n;
              }));
    }
    int overwritten = 0;
    try {
      for (int i = 0; i < 12; i++) {
        Reply r = put("/ow/race", i % 2 == 0 ? b : a, "Mkv-Overwrite", "1");
        assertTrue(r.code() == 201 || r.code() == 409, r.code() + " " + r.text());
        overwritten += r.code() == 201 ? 1 : 0;
      }
    } finally {
      writing.set(false);
      readers.shutdown();
    }
    for (Future<Integer> f : reads) {
      assertTrue(f.get() > 0);
    }
    // with one writer nothing else holds the key (a settle makes a PUT wait, not fail)
    assertTrue(overwritten >= 10, "only " + overwritten + " of 12 overwrites succeeded");
    assertTrue(sawB.get() > 0, "no reader saw the overwritten value");
    assertTrue(sawA.get() > 0, "no reader saw the first value");
  }

  @Test
  void stagedOverwriteIsSettledByTheNextMasterAfterAStop() throws IOException {
    assertEquals(201, put("/ow/c", bytes("first")).code());
    assertEquals(201, put("/ow/c", bytes("second"), "Mkv-Overwrite", "1").code());
    MasterConfig config = cluster.config();
    cluster.stopMaster(); // before the grace: the record still names the staged copies
    cluster.startMaster(config);
    List<String> home = config.placement().replicasFor("/ow/c");
    assertTrue(
        Http.eventually(
            Duration.ofSeconds(20),
            () -> String.join(",", home).equals(get(cluster.url("/ow/c")).header("Key-Volumes"))));
    assertEquals("second", new String(read(cluster.url("/ow/c")), StandardCharsets.UTF_8));
  }

  /** Files under any volume's staging folders. */
  static List<Path> stagedFiles() throws IOException {
    List<Path> found = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      for (String slot : List.of("_overwrite0", "_overwrite1")) {
        Path dir = cluster.volumeDir(i).resolve(slot);
        if (Files.isDirectory(dir)) {
          try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(found::add);
          }
        }
      }
    }
    return found;
  }

  /** md5 hex of UTF-8 text. */
  static final class KeyPathMd5 {
    static String hex(String s) {
      return java.util.HexFormat.of().formatHex(KeyPath.md5(bytes(s)));
    }
  }
}
