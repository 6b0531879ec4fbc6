package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VolumeServerTest {
  static final OkHttpClient HTTP =
      new OkHttpClient.Builder()
          .readTimeout(60, TimeUnit.SECONDS)
          .writeTimeout(60, TimeUnit.SECONDS)
          .build();

  @TempDir Path dir;
  VolumeServer volume;

  @BeforeEach
  void start() {
    volume = VolumeServer.start(dir, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    volume.close();
  }

  Response call(String method, String path, byte[] body) throws IOException {
    RequestBody rb =
        body == null ? null : RequestBody.create(body, MediaType.get("application/octet-stream"));
    return HTTP.newCall(
            new Request.Builder().url(volume.baseUrl() + path).method(method, rb).build())
        .execute();
  }

  Response call(String method, String path) throws IOException {
    return call(method, path, null);
  }

  Response get(String path, String range) throws IOException {
    return HTTP.newCall(
            new Request.Builder().url(volume.baseUrl() + path).header("Range", range).build())
        .execute();
  }

  @Test
  void rangeStopsAtItsEndOnAKeptAliveConnection() throws IOException {
    try (Response r = call("PUT", "/r/k", "0123456789abcdef".getBytes(StandardCharsets.UTF_8))) {
      assertEquals(201, r.code());
    }
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", volume.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /r/k HTTP/1.1\r\nHost: v\r\nRange: bytes=2-5\r\n\r\n"
                      + "GET /r/k HTTP/1.1\r\nHost: v\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] all = new byte[4096];
      int n = 0;
      String text = "";
      for (int reads = 0; reads < 100 && !text.endsWith("0123456789abcdef"); reads++) {
        int k = s.getInputStream().read(all, n, all.length - n);
        if (k < 0) {
          break;
        }
        n += k;
        text = new String(all, 0, n, StandardCharsets.US_ASCII);
      }
      // the 206 carries exactly its 4 bytes, and the next answer starts right after them
      assertTrue(
          text.matches("(?s)HTTP/1.1 206 .*\r\n\r\n2345HTTP/1.1 200 .*\r\n\r\n0123456789abcdef"),
          text);
    }
  }

  @Test
  void addressesUseTheBoundPort() {
    assertTrue(volume.port() > 0);
    assertEquals("127.0.0.1:" + volume.port(), volume.address());
    assertEquals("http://127.0.0.1:" + volume.port(), volume.baseUrl());
  }

  @Test
  void putGetHeadDeleteRoundTrip() throws IOException {
    byte[] value = "hello".getBytes(StandardCharsets.UTF_8);
    try (Response r = call("PUT", "/sv03/5d/41/aGVsbG8=", value)) {
      assertEquals(201, r.code());
    }
    assertArrayEquals(value, Files.readAllBytes(dir.resolve("sv03/5d/41/aGVsbG8=")));
    try (Response r = call("GET", "/sv03/5d/41/aGVsbG8=")) {
      assertEquals(200, r.code());
      assertArrayEquals(value, r.body().bytes());
      assertEquals("application/octet-stream", r.header("Content-Type"));
      assertEquals("5", r.header("Content-Length"));
      assertEquals("bytes", r.header("Accept-Ranges"));
      assertNotNull(r.header("Last-Modified"));
    }
    try (Response r = call("HEAD", "/sv03/5d/41/aGVsbG8=")) {
      assertEquals(200, r.code());
      assertEquals("5", r.header("Content-Length"));
      assertEquals(0, r.body().bytes().length);
    }
    try (Response r = call("DELETE", "/sv03/5d/41/aGVsbG8=")) {
      assertEquals(204, r.code());
    }
    assertFalse(Files.exists(dir.resolve("sv03/5d/41/aGVsbG8=")));
    try (Response r = call("GET", "/sv03/5d/41/aGVsbG8=")) {
      assertEquals(404, r.code());
    }
    try (Response r = call("DELETE", "/sv03/5d/41/aGVsbG8=")) {
      assertEquals(404, r.code());
    }
  }

  @Test
  void putReplacesAnExistingFile() throws IOException {
    try (Response r = call("PUT", "/a/b", "first version".getBytes(StandardCharsets.UTF_8))) {
      assertEquals(201, r.code());
    }
    try (Response r = call("PUT", "/a/b", "2nd".getBytes(StandardCharsets.UTF_8))) {
      assertEquals(201, r.code());
    }
    try (Response r = call("GET", "/a/b")) {
      assertEquals("2nd", r.body().string());
    }
    assertEquals(0, tmpFiles());
  }

  @Test
  void emptyBodyMakesAnEmptyFile() throws IOException {
    try (Response r = call("PUT", "/empty", new byte[0])) {
      assertEquals(201, r.code());
    }
    try (Response r = call("GET", "/empty")) {
      assertEquals(200, r.code());
      assertEquals("0", r.header("Content-Length"));
    }
  }

  @Test
  void base64NamesWithSlashPlusAndEqualsMapToDeeperPaths() throws IOException {
    try (Response r = call("PUT", "/5d/41/L2F/iYw+x==", new byte[] {1, 2})) {
      assertEquals(201, r.code());
    }
    assertTrue(Files.isRegularFile(dir.resolve("5d/41/L2F/iYw+x==")));
    // '+' is a plus in a path, not a space; %2B is the same name
    try (Response r = call("GET", "/5d/41/L2F/iYw%2Bx%3D%3D")) {
      assertEquals(200, r.code());
      assertArrayEquals(new byte[] {1, 2}, r.body().bytes());
    }
  }

  @Test
  void rangesInAllThreeFormsAnswer206() throws IOException {
    try (Response r = call("PUT", "/r", "0123456789".getBytes(StandardCharsets.UTF_8))) {
      assertEquals(201, r.code());
    }
    String[][] cases = {
      {"bytes=2-5", "2345", "bytes 2-5/10"},
      {"bytes=7-", "789", "bytes 7-9/10"},
      {"bytes=-3", "789", "bytes 7-9/10"},
      {"bytes=8-100", "89", "bytes 8-9/10"},
      {"bytes=-100", "0123456789", "bytes 0-9/10"},
    };
    for (String[] c : cases) {
      try (Response r = get("/r", c[0])) {
        assertEquals(206, r.code(), c[0]);
        assertEquals(c[2], r.header("Content-Range"), c[0]);
        assertEquals(c[1], r.body().string(), c[0]);
      }
    }
  }

  @Test
  void unsatisfiableRangeIs416WithTheSize() throws IOException {
    try (Response r = call("PUT", "/r", "0123456789".getBytes(StandardCharsets.UTF_8))) {
      assertEquals(201, r.code());
    }
    for (String range : new String[] {"bytes=10-", "bytes=10-20", "bytes=-0"}) {
      try (Response r = get("/r", range)) {
        assertEquals(416, r.code(), range);
        assertEquals("bytes */10", r.header("Content-Range"), range);
      }
    }
  }

  @Test
  void multipleOrMalformedRangesGetTheWholeFile() throws IOException {
    try (Response r = call("PUT", "/r", "0123456789".getBytes(StandardCharsets.UTF_8))) {
      assertEquals(201, r.code());
    }
    for (String range : new String[] {"bytes=0-1,4-5", "bytes=5-2", "items=0-1", "bytes=x-"}) {
      try (Response r = get("/r", range)) {
        assertEquals(200, r.code(), range);
        assertEquals("0123456789", r.body().string(), range);
      }
    }
  }

  @Test
  void chunkedPutIsStored() throws IOException {
    String body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    RawHttp.Response r =
        RawHttp.exchange(
            volume.port(),
            "PUT /c/chunked HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + body);
    assertEquals(201, r.status());
    assertEquals("hello world", Files.readString(dir.resolve("c/chunked")));
  }

  @Test
  void expectContinueGets100BeforeTheBody() throws IOException {
    try (java.net.Socket s = RawHttp.connect(volume.port())) {
      s.getOutputStream()
          .write(
              ("PUT /e/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      byte[] interim = new byte["HTTP/1.1 100 Continue\r\n\r\n".length()];
      int got = 0;
      for (int n;
          got < interim.length
              && (n = s.getInputStream().read(interim, got, interim.length - got)) > 0; ) {
        got += n; // bounded by the socket timeout and the array length
      }
      assertTrue(
          new String(interim, 0, got, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 100"));
      s.getOutputStream().write("abc".getBytes(StandardCharsets.ISO_8859_1));
      assertEquals(201, RawHttp.read(s.getInputStream()).status());
    }
    assertEquals("abc", Files.readString(dir.resolve("e/x")));
  }

  @Test
  void expectContinueToARefusedPathIsAnsweredWithoutTheBody() throws IOException {
    RawHttp.Response r =
        RawHttp.exchange(
            volume.port(),
            "PUT /../x HTTP/1.1\r\nHost: x\r\n"
                + "Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
    assertEquals(400, r.status());
  }

  @Test
  void largeStreamedPutRoundTripsByMd5() throws Exception {
    long size = 64L << 20;
    MessageDigest sent = MessageDigest.getInstance("MD5");
    RequestBody generated =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/octet-stream");
          }

          @Override
          public long contentLength() {
            return -1; // chunked: the size is not announced
          }

          @Override
          public boolean isOneShot() {
            return true;
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            Random random = new Random(42);
            byte[] buf = new byte[64 * 1024];
            for (long left = size; left > 0; left -= buf.length) {
              random.nextBytes(buf);
              sent.update(buf);
              sink.write(buf);
            }
          }
        };
    try (Response r =
        HTTP.newCall(
                new Request.Builder().url(volume.baseUrl() + "/big/blob").put(generated).build())
            .execute()) {
      assertEquals(201, r.code());
    }
    assertEquals(size, Files.size(dir.resolve("big/blob")));
    MessageDigest received = MessageDigest.getInstance("MD5");
    try (Response r = call("GET", "/big/blob");
        InputStream in = r.body().byteStream()) {
      assertEquals(String.valueOf(size), r.header("Content-Length"));
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        received.update(buf, 0, n);
      }
    }
    assertEquals(hex(sent), hex(received));
  }

  static String hex(MessageDigest md) {
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void putToATrailingSlashIs400() throws IOException {
    try (Response r = call("PUT", "/dir/", new byte[] {1})) {
      assertEquals(400, r.code());
    }
    assertFalse(Files.exists(dir.resolve("dir")));
  }

  @Test
  void putOverADirectoryIs409AndKeepsIt() throws IOException {
    Files.createDirectories(dir.resolve("d/sub"));
    try (Response r = call("PUT", "/d", new byte[] {1})) {
      assertEquals(409, r.code());
    }
    assertTrue(Files.isDirectory(dir.resolve("d/sub")));
    assertEquals(0, tmpFiles());
  }

  @Test
  void putBelowAFileIs409() throws IOException {
    try (Response r = call("PUT", "/f", new byte[] {1})) {
      assertEquals(201, r.code());
    }
    try (Response r = call("PUT", "/f/x", new byte[] {2})) {
      assertEquals(409, r.code());
    }
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(dir.resolve("f")));
    assertEquals(0, tmpFiles());
  }

  @Test
  void startOnABusyPortFails() {
    org.junit.jupiter.api.Assertions.assertThrows(
        RuntimeException.class,
        () -> VolumeServer.start(dir.resolve("second"), "127.0.0.1", volume.port()).close());
  }

  @Test
  void directoryWithoutTrailingSlashIs404() throws IOException {
    Files.createDirectories(dir.resolve("5d/41"));
    try (Response r = call("GET", "/5d")) {
      assertEquals(404, r.code());
    }
    try (Response r = call("HEAD", "/5d/41")) {
      assertEquals(404, r.code());
    }
  }

  @Test
  void deleteOfADirectoryIsRefused() throws IOException {
    Files.createDirectories(dir.resolve("keep"));
    try (Response r = call("DELETE", "/keep/")) {
      assertEquals(400, r.code());
    }
    try (Response r = call("DELETE", "/keep")) {
      assertEquals(404, r.code());
    }
    assertTrue(Files.isDirectory(dir.resolve("keep")));
  }

  @Test
  void unknownMethodIs405WithAllow() throws IOException {
    for (String method : new String[] {"POST", "PATCH", "OPTIONS"}) {
      try (Response r = call(method, "/x", method.equals("OPTIONS") ? null : new byte[] {1})) {
        assertEquals(405, r.code(), method);
        assertEquals("GET, HEAD, PUT, DELETE", r.header("Allow"), method);
      }
    }
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void headOfRootIs200() throws IOException {
    try (Response r = call("HEAD", "/")) {
      assertEquals(200, r.code());
    }
  }

  @Test
  void tempDirectoryIsNeverServed() throws IOException {
    Files.writeString(dir.resolve(".tmp/secret"), "partial");
    for (String path :
        new String[] {"/.tmp/secret", "/.tmp/", "/%2etmp/secret", "/a/../.tmp/secret"}) {
      RawHttp.Response r = RawHttp.request(volume.port(), "GET", path);
      assertTrue(r.status() == 400 || r.status() == 404, path + " -> " + r.status());
      assertFalse(r.bodyText().contains("partial"), path);
    }
    RawHttp.Response put = RawHttp.request(volume.port(), "PUT", "/.tmp/secret");
    assertEquals(400, put.status());
    assertEquals("partial", Files.readString(dir.resolve(".tmp/secret")));
  }

  @Test
  void startDeletesLeftoverTempFiles() throws IOException {
    Path other = dir.resolve("other");
    Files.createDirectories(other.resolve(".tmp"));
    Files.writeString(other.resolve(".tmp/put-1"), "left over by a crash");
    Files.writeString(other.resolve("kept"), "data");
    try (VolumeServer v = VolumeServer.start(other, "127.0.0.1", 0)) {
      assertEquals(0, Files.list(other.resolve(".tmp")).count());
      assertEquals("data", Files.readString(other.resolve("kept")));
      assertNull(null, v.baseUrl());
    }
  }

  @Test
  void errorBodiesAreOneLine() throws IOException {
    try (Response r = call("GET", "/missing")) {
      assertEquals(404, r.code());
      String body = r.body().string();
      assertTrue(body.endsWith("\n") && body.indexOf('\n') == body.length() - 1, body);
    }
  }

  long tmpFiles() throws IOException {
    try (var s = Files.list(dir.resolve(".tmp"))) {
      return s.count();
    }
  }
}
