package mkv.master;

import static mkv.testing.Http.call;
import static mkv.testing.Http.delete;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mkv.http.Protocol;
import mkv.testing.Http;
import mkv.testing.Http.Reply;
import mkv.testing.TestCluster;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The master's HTTP contract against real volume servers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MasterApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static TestCluster cluster;

  @BeforeAll
  static void start() throws IOException {
    cluster = TestCluster.start(tmp, 4, 3, 3);
  }

  @AfterAll
  static void stop() throws IOException {
    cluster.close();
  }

  private static String url(String key) {
    return cluster.url(key);
  }

  @Test
  void putGetDeleteRoundTrip() throws IOException {
    Reply created = put(url("/round/trip"), "hello value");
    assertEquals(201, created.code(), created.text());
    Reply redirect = get(url("/round/trip"));
    assertEquals(302, redirect.code());
    assertEquals(
        md5Hex("hello value".getBytes(StandardCharsets.UTF_8)), redirect.header("Content-Md5"));
    assertEquals("balanced", redirect.header("Key-Balance"));
    List<String> replicas = List.of(redirect.header("Key-Volumes").split(","));
    assertEquals(expectedReplicas("/round/trip"), replicas);
    assertTrue(
        replicas.stream()
            .anyMatch(r -> redirect.header("Location").startsWith("http://" + r + "/")),
        redirect.header("Location"));
    assertEquals("hello value", new String(read(url("/round/trip")), StandardCharsets.UTF_8));
    assertEquals(302, call("HEAD", url("/round/trip"), null).code());

    assertEquals(204, delete(url("/round/trip")).code());
    Reply gone = get(url("/round/trip"));
    assertEquals(404, gone.code());
    assertEquals(0, gone.body().length);
    for (String r : replicas) {
      assertFalse(Files.exists(fileOn(r, "/round/trip")), "copy left on " + r);
    }
    assertEquals(404, delete(url("/round/trip")).code());
  }

  @Test
  void filesLandWherePlacementRecomputedHereSays() throws IOException {
    List<String> keys =
        List.of("/layout/a", "/layout/ключ", "/layout/a?", "/layout/日本語/🎉", "/layout/x+y=z");
    for (String key : keys) {
      assertEquals(201, put(url(key), "v:" + key).code(), key);
    }
    for (String key : keys) {
      List<String> want = expectedReplicas(key);
      for (int i = 0; i < 4; i++) {
        String server = cluster.addresses().get(i);
        boolean holds = want.stream().anyMatch(r -> r.startsWith(server + "/"));
        String sv =
            want.stream()
                .filter(r -> r.startsWith(server + "/"))
                .findFirst()
                .map(r -> r.substring(server.length()))
                .orElse("/sv00");
        Path file = cluster.volumeDir(i).resolve(sv.substring(1) + expectedPath(key));
        if (holds) {
          assertEquals("v:" + key, Files.readString(file), key + " on " + server);
        } else {
          assertTrue(
              leftover(cluster.volumeDir(i), key).isEmpty(), key + " should not be on " + server);
        }
      }
      assertEquals("v:" + key, new String(read(url(key)), StandardCharsets.UTF_8), key);
    }
  }

  @Test
  void putOfExistingKeyIs403() throws IOException {
    assertEquals(201, put(url("/exists"), "one").code());
    Reply again = put(url("/exists"), "two");
    assertEquals(403, again.code());
    assertOneLine(again);
    assertEquals("one", new String(read(url("/exists")), StandardCharsets.UTF_8));
  }

  @Test
  void emptyBodyIs411EvenChunked() throws IOException {
    assertEquals(411, put(url("/empty"), new byte[0]).code());
    Reply chunked =
        Http.call(new Request.Builder().url(url("/empty")).put(streaming(new byte[0])).build());
    assertEquals(411, chunked.code());
    assertOneLine(chunked);
    assertEquals(404, get(url("/empty")).code());
  }

  @Test
  void chunkedUploadIsStored() throws IOException {
    byte[] value = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(value);
    Reply r = Http.call(new Request.Builder().url(url("/chunked")).put(streaming(value)).build());
    assertEquals(201, r.code(), r.text());
    assertArrayEquals(value, read(url("/chunked")));
    assertEquals(md5Hex(value), get(url("/chunked")).header("Content-Md5"));
  }

  @Test
  void overLongKeyIs414() throws IOException {
    Reply r = put(url("/" + "k".repeat(300)), "v");
    assertEquals(414, r.code());
    assertOneLine(r);
  }

  @Test
  void malformedPercentEncodingIs400() throws IOException {
    // Escapes that are not two hex digits are refused by undertow's parser (400, empty body).
    for (String raw : List.of("/bad%zz", "/bad%4", "/bad%ff%fe")) {
      Reply r =
          rawRequest(
              "PUT "
                  + raw
                  + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nv");
      assertEquals(400, r.code(), raw);
    }
    // Escapes of bytes that are not UTF-8 reach our decoder, which says what was wrong.
    Reply r =
        rawRequest(
            "PUT /bad%ff%fe HTTP/1.1\r\n"
                + "Host: x\r\n"
                + "Content-Length: 1\r\n"
                + "Connection: close\r\n\r\n"
                + "v");
    assertOneLine(r);
    assertTrue(r.text().contains("UTF-8"), r.text());
    assertEquals(404, get(url("/bad")).code());
  }

  @Test
  void unknownMethodIs405() throws IOException {
    Reply r = rawRequest("FROB /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertEquals(405, r.code());
    assertTrue(r.header("Allow").contains("UNLINK"));
    assertOneLine(r);
  }

  @Test
  void utf8KeysRoundTripThroughListing() throws IOException {
    List<String> keys =
        List.of("/utf/ключ", "/utf/日本語", "/utf/🎉", "/utf/a b", "/utf/a%b", "/utf/a?");
    for (String key : keys) {
      assertEquals(201, put(url(key), key).code(), key);
      assertEquals(key, new String(read(url(key)), StandardCharsets.UTF_8));
    }
    JsonNode list = JSON.readTree(get(url("/utf/") + "?list").body());
    List<String> listed = new ArrayList<>();
    list.get("keys").forEach(k -> listed.add(k.asText()));
    assertEquals(keys.stream().sorted(MasterApiTest::byUtf8).toList(), listed);
  }

  @Test
  void unlinkHidesButKeepsBytesAndDeletePurges() throws IOException {
    assertEquals(201, put(url("/unlink/me"), "kept").code());
    List<String> replicas = expectedReplicas("/unlink/me");
    assertEquals(204, call("UNLINK", url("/unlink/me"), null).code());
    assertEquals(404, get(url("/unlink/me")).code());
    assertEquals(404, call("UNLINK", url("/unlink/me"), null).code());
    assertTrue(listKeys("/unlink/", "list").isEmpty());
    assertEquals(List.of("/unlink/me"), listKeys("/unlink/", "unlinked"));
    for (String r : replicas) {
      assertEquals("kept", Files.readString(fileOn(r, "/unlink/me")));
    }
    assertEquals(204, delete(url("/unlink/me")).code());
    assertTrue(listKeys("/unlink/", "unlinked").isEmpty());
    for (String r : replicas) {
      assertFalse(Files.exists(fileOn(r, "/unlink/me")));
    }
  }

  @Test
  void redirectsSpreadOverEveryReplica() throws IOException {
    assertEquals(201, put(url("/spread"), "v").code());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100 && seen.size() < 3; i++) {
      seen.add(URI.create(get(url("/spread")).header("Location")).getAuthority());
    }
    assertEquals(3, seen.size(), "100 GETs went to " + seen);
  }

  @Test
  void repeatedGetsFollowEveryWrite() throws IOException {
    String key = url("/cached/answer");
    for (int i = 0; i < 3; i++) {
      assertEquals(404, get(key).code()); // a miss the master keeps answering from its cache
    }
    assertEquals(201, put(key, "one").code());
    for (int i = 0; i < 3; i++) {
      assertEquals(md5Hex("one".getBytes(StandardCharsets.UTF_8)), get(key).header("Content-Md5"));
    }
    assertEquals(204, call("UNLINK", key, null).code());
    assertEquals(404, get(key).code());
    assertEquals(201, put(key, "two").code());
    assertEquals(md5Hex("two".getBytes(StandardCharsets.UTF_8)), get(key).header("Content-Md5"));
    assertEquals(204, delete(key).code());
    assertEquals(404, get(key).code());
  }

  @Test
  void unlinkedKeyCanBeWrittenAgain() throws IOException {
    assertEquals(201, put(url("/rewrite"), "old").code());
    assertEquals(204, call("UNLINK", url("/rewrite"), null).code());
    assertEquals(201, put(url("/rewrite"), "new").code());
    assertEquals("new", new String(read(url("/rewrite")), StandardCharsets.UTF_8));
    assertTrue(listKeys("/rewrite", "unlinked").isEmpty());
  }

  @Test
  void listPagesInByteOrderWithLimitAndStart() throws IOException {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      keys.add(String.format("/page/%03d", i));
    }
    for (String k : keys) {
      assertEquals(201, put(url(k), k).code());
    }
    assertEquals(201, put(url("/pagez"), "other prefix").code());
    List<String> seen = new ArrayList<>();
    String start = "";
    for (int pages = 0; pages < 10; pages++) {
      JsonNode page =
          JSON.readTree(
              get(url("/page/") + "?list&limit=10&start=" + Http.encodePath(start)).body());
      page.get("keys").forEach(k -> seen.add(k.asText()));
      start = page.get("next").asText();
      if (start.isEmpty()) {
        break;
      }
    }
    assertEquals(keys, seen);
    JsonNode all = JSON.readTree(get(url("/page/") + "?list").body());
    assertEquals(25, all.get("keys").size());
    assertEquals("", all.get("next").asText());
    JsonNode first = JSON.readTree(get(url("/page/") + "?list&limit=3").body());
    assertEquals("/page/003", first.get("next").asText());
    for (String bad : List.of("0", "-1", "x", "1000001")) {
      Reply r = get(url("/page/") + "?list&limit=" + bad);
      assertEquals(400, r.code(), bad);
      assertOneLine(r);
    }
  }

  @Test
  void parallelPutsOfOneKeyGiveExactlyOneCreated() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Callable<Integer>> puts = new ArrayList<>();
      byte[] value = new byte[256 * 1024];
      for (int i = 0; i < writers; i++) {
        puts.add(() -> put(url("/contended"), value).code());
      }
      List<Integer> codes = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(puts)) {
        codes.add(f.get());
      }
      assertEquals(1, codes.stream().filter(c -> c == 201).count(), codes.toString());
      assertTrue(codes.stream().allMatch(c -> c == 201 || c == 403 || c == 409), codes.toString());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reservedAndEmptyKeysAreRefused() throws IOException {
    assertEquals(400, put(url("/"), "v").code());
    assertEquals(400, put(url(Protocol.VOLUMES), "v").code());
    JsonNode volumes = JSON.readTree(get(url(Protocol.VOLUMES)).body());
    assertEquals(4, volumes.size());
    assertEquals("up", volumes.get(0).get("state").asText());
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Placement recomputed here, independently of the code under test. */
  static List<String> expectedReplicas(String key) {
    List<String> volumes = new ArrayList<>(cluster.addresses());
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    java.util.Map<String, byte[]> score = new java.util.HashMap<>();
    for (String v : volumes) {
      byte[] both = new byte[k.length + v.length()];
      System.arraycopy(k, 0, both, 0, k.length);
      System.arraycopy(v.getBytes(StandardCharsets.UTF_8), 0, both, k.length, v.length());
      score.put(v, md5(both));
    }
    volumes.sort((a, b) -> java.util.Arrays.compareUnsigned(score.get(b), score.get(a)));
    List<String> out = new ArrayList<>();
    for (String v : volumes.subList(0, 3)) {
      byte[] s = score.get(v);
      long n = java.nio.ByteBuffer.wrap(s, 12, 4).getInt() & 0xffffffffL;
      out.add(v + "/sv" + String.format("%02X", n % 3));
    }
    return out;
  }

  static String expectedPath(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] h = md5(k);
    String name = Base64.getEncoder().encodeToString(k);
    return String.format("/%02x/%02x/%s", h[0], h[1], name.endsWith("/") ? name + "_" : name);
  }

  static Path fileOn(String replica, String key) {
    int slash = replica.indexOf('/');
    return cluster
        .dirOf(replica.substring(0, slash))
        .resolve(replica.substring(slash + 1) + expectedPath(key));
  }

  static List<Path> leftover(Path volumeDir, String key) throws IOException {
    List<Path> found = new ArrayList<>();
    for (String sv : List.of("sv00", "sv01", "sv02")) {
      Path p = volumeDir.resolve(sv + expectedPath(key));
      if (Files.exists(p)) {
        found.add(p);
      }
    }
    return found;
  }

  static List<String> listKeys(String prefix, String mode) throws IOException {
    JsonNode list = JSON.readTree(get(url(prefix) + "?" + mode).body());
    List<String> keys = new ArrayList<>();
    list.get("keys").forEach(k -> keys.add(k.asText()));
    return keys;
  }

  static int byUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] md5(byte[] b) {
    try {
      return MessageDigest.getInstance("MD5").digest(b);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String md5Hex(byte[] b) {
    return HexFormat.of().formatHex(md5(b));
  }

  static void assertOneLine(Reply r) {
    String text = r.text();
    assertFalse(text.isBlank(), "error body should say what was wrong");
    assertEquals(text.strip(), text.strip().lines().findFirst().orElse(""), "one line: " + text);
  }

  static RequestBody streaming(byte[] value) {
    return new RequestBody() {
      @Override
      public okhttp3.MediaType contentType() {
        return Http.OCTETS;
      }

      @Override
      public long contentLength() {
        return -1; // chunked
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.write(value);
      }
    };
  }

  /** Sends raw bytes to the master, for requests okhttp refuses to build. */
  static Reply rawRequest(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", cluster.master().port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int code = Integer.parseInt(response.substring(9, 12));
      int split = response.indexOf("\r\n\r\n");
      okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder();
      for (String line : response.substring(0, split).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
      }
      return new Reply(
          code, headers.build(), response.substring(split + 4).getBytes(StandardCharsets.UTF_8));
    }
  }
}
