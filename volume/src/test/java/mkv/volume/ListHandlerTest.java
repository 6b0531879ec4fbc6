package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListHandlerTest {
  static final OkHttpClient HTTP = new OkHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

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

  Response get(String path) throws IOException {
    return HTTP.newCall(new Request.Builder().url(volume.baseUrl() + path).build()).execute();
  }

  /** name -> entry, order-free (nginx sorts, we stream in directory order). */
  Map<String, JsonNode> list(String path) throws IOException {
    try (Response r = get(path)) {
      assertEquals(200, r.code(), path);
      assertEquals("application/json", r.header("Content-Type"));
      Map<String, JsonNode> byName = new TreeMap<>();
      for (JsonNode e : JSON.readTree(r.body().string())) {
        byName.put(e.get("name").asText(), e);
      }
      return byName;
    }
  }

  @Test
  void listsFilesAndDirectoriesWithNginxFields() throws IOException {
    Files.createDirectories(dir.resolve("5d/41"));
    Files.write(dir.resolve("5d/41/aGVsbG8="), new byte[123]);
    Files.createDirectories(dir.resolve("5d/41/L2F"));
    Instant mtime = Instant.parse("2026-11-03T07:08:09Z");
    Files.setLastModifiedTime(dir.resolve("5d/41/aGVsbG8="), FileTime.from(mtime.plusMillis(999)));
    Files.setLastModifiedTime(dir.resolve("5d/41/L2F"), FileTime.from(mtime));

    Map<String, JsonNode> entries = list("/5d/41/");
    assertEquals(2, entries.size(), entries.toString());
    JsonNode file = entries.get("aGVsbG8=");
    assertEquals("file", file.get("type").asText());
    assertEquals(123, file.get("size").asLong());
    // nginx's ngx_http_time: two-digit day, seconds truncated, GMT
    assertEquals("Tue, 03 Nov 2026 07:08:09 GMT", file.get("mtime").asText());
    JsonNode sub = entries.get("L2F");
    assertEquals("directory", sub.get("type").asText());
    assertEquals("Tue, 03 Nov 2026 07:08:09 GMT", sub.get("mtime").asText());
    assertTrue(sub.get("size") == null, "directories have no size, as in nginx");
  }

  @Test
  void listsEveryLevelOfNestedDirectories() throws IOException {
    Files.createDirectories(dir.resolve("sv01/ab/cd"));
    Files.writeString(dir.resolve("sv01/ab/cd/k1"), "v");
    assertEquals("directory", list("/").get("sv01").get("type").asText());
    assertEquals("directory", list("/sv01/").get("ab").get("type").asText());
    assertEquals("directory", list("/sv01/ab/").get("cd").get("type").asText());
    assertEquals(1, list("/sv01/ab/cd/").get("k1").get("size").asLong());
  }

  @Test
  void hidesNamesStartingWithDotIncludingTheTempDirectory() throws IOException {
    Files.writeString(dir.resolve(".hidden"), "h");
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve("visible"), "v");
    assertEquals(Map.of("visible", 1L), sizes(list("/")));
  }

  @Test
  void emptyDirectoryIsAnEmptyArrayByteForByteLikeNginx() throws IOException {
    Files.createDirectories(dir.resolve("empty"));
    try (Response r = get("/empty/")) {
      assertEquals("[\r\n]", r.body().string());
    }
  }

  @Test
  void formatIsByteForByteNginxIncludingEscapes() throws IOException {
    Path odd = dir.resolve("odd");
    Files.createDirectories(odd);
    Files.writeString(odd.resolve("q\"u\\te\u0001%"), "xy");
    Files.setLastModifiedTime(
        odd.resolve("q\"u\\te\u0001%"), FileTime.from(Instant.parse("2026-11-23T17:00:00Z")));
    try (Response r = get("/odd/")) {
      assertEquals(
          "[\r\n{ \"name\":\"q\\\"u\\\\te\\u0001%\", \"type\":\"file\", "
              + "\"mtime\":\"Mon, 23 Nov 2026 17:00:00 GMT\", \"size\":2 }\r\n]",
          r.body().string());
    }
    assertEquals(2, list("/odd/").get("q\"u\\te\u0001%").get("size").asLong(), "valid JSON");
  }

  @Test
  void missingDirectoryIs404AndAFileWithSlashIs404() throws IOException {
    Files.writeString(dir.resolve("file"), "x");
    try (Response r = get("/nope/")) {
      assertEquals(404, r.code());
    }
    try (Response r = get("/file/")) {
      assertEquals(404, r.code());
    }
  }

  @Test
  void largeDirectoryStreamsCompletely() throws IOException {
    Path big = dir.resolve("big");
    Files.createDirectories(big);
    for (int i = 0; i < 5000; i++) {
      Files.writeString(big.resolve("key-" + i), "");
    }
    Map<String, JsonNode> entries = list("/big/");
    assertEquals(5000, entries.size());
    assertEquals(0, entries.get("key-4999").get("size").asLong());
  }

  static Map<String, Long> sizes(Map<String, JsonNode> entries) {
    Map<String, Long> out = new TreeMap<>();
    entries.forEach((name, e) -> out.put(name, e.has("size") ? e.get("size").asLong() : -1));
    return out;
  }
}
