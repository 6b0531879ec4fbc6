package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import mkv.testing.NginxVolume;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same script against stock nginx (deploy/nginx-volume.conf directives) and our server: they
 * must agree on statuses, bodies, range headers and listing fields, so either can be a volume.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxCompatibilityTest {
  static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false).build();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void needsNginx() {
    assumeTrue(NginxVolume.isInstalled(), "nginx is not installed (CI installs it)");
  }

  /** One observation: what a request answered, reduced to what a client of a volume relies on. */
  record Seen(String step, int status, String detail) {}

  static String call(String base, String method, String path, byte[] body, String range)
      throws IOException {
    Request.Builder b =
        new Request.Builder()
            .url(base + path)
            .method(
                method,
                body == null
                    ? null
                    : RequestBody.create(body, MediaType.get("application/octet-stream")));
    if (range != null) {
      b.header("Range", range);
    }
    try (Response r = HTTP.newCall(b.build()).execute()) {
      int code = r.code();
      // nginx answers 204 to a PUT that replaced a file where we answer 201: both mean stored
      if (method.equals("PUT") && (code == 201 || code == 204)) {
        return "stored";
      }
      String detail = code + "";
      if (code == 200 || code == 206) {
        String type = r.header("Content-Type", "");
        if (type.startsWith("application/json")) {
          detail += " " + listing(r.body().string());
        } else {
          detail += " len=" + r.header("Content-Length") + " body=" + r.body().string();
        }
      }
      if (code == 206 || code == 416) {
        detail += " " + r.header("Content-Range");
      }
      if (method.equals("GET") && code == 200 && r.header("Accept-Ranges") == null) {
        detail += " no Accept-Ranges";
      }
      return detail;
    }
  }

  /** name/type/size of each entry, sorted by name: order is not part of the contract. */
  static String listing(String json) throws IOException {
    TreeMap<String, String> byName = new TreeMap<>();
    for (JsonNode e : JSON.readTree(json)) {
      byName.put(
          e.get("name").asText(),
          e.get("type").asText()
              + (e.has("size") ? ":" + e.get("size").asLong() : "")
              + (e.get("mtime")
                      .asText()
                      .matches(
                          "[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT")
                  ? ""
                  : " bad mtime"));
    }
    return byName.toString();
  }

  static List<String> script(String base) throws IOException {
    List<String> seen = new ArrayList<>();
    String[][] steps = {
      {"PUT", "/sv03/5d/41/aGVsbG8=", "hello", null},
      {"PUT", "/5d/41/L2F/iYw==", "0123456789", null},
      {"PUT", "/5d/41/a+b=", "plus", null},
      {"GET", "/sv03/5d/41/aGVsbG8=", null, null},
      {"HEAD", "/sv03/5d/41/aGVsbG8=", null, null},
      {"GET", "/5d/41/L2F/iYw==", null, "bytes=2-5"},
      {"GET", "/5d/41/L2F/iYw==", null, "bytes=7-"},
      {"GET", "/5d/41/L2F/iYw==", null, "bytes=-3"},
      {"GET", "/5d/41/L2F/iYw==", null, "bytes=4-100"},
      {"GET", "/5d/41/L2F/iYw==", null, "bytes=10-"},
      {"GET", "/5d/41/a%2Bb%3D", null, null},
      {"GET", "/", null, null},
      {"GET", "/5d/", null, null},
      {"GET", "/5d/41/", null, null},
      {"GET", "/5d/41/L2F/", null, null},
      {"GET", "/missing/", null, null},
      {"GET", "/missing", null, null},
      {"HEAD", "/", null, null},
      {"PUT", "/sv03/5d/41/aGVsbG8=", "replaced", null},
      {"GET", "/sv03/5d/41/aGVsbG8=", null, null},
      {"DELETE", "/sv03/5d/41/aGVsbG8=", null, null},
      {"DELETE", "/sv03/5d/41/aGVsbG8=", null, null},
      {"GET", "/sv03/5d/41/aGVsbG8=", null, null},
      {"GET", "/sv03/5d/41/", null, null},
      {"PUT", "/empty", "", null},
      {"GET", "/empty", null, null},
    };
    for (String[] s : steps) {
      byte[] body = s[2] == null ? null : s[2].getBytes(StandardCharsets.UTF_8);
      seen.add(
          String.join(" ", s[0], s[1], s[3] == null ? "" : s[3])
              + " -> "
              + call(base, s[0], s[1], body, s[3]));
    }
    // traversal: nginx and we both refuse with 400 (nginx only when it leaves the root; we always)
    for (String raw :
        new String[] {"/../x", "/%2e%2e/x", "/a/%2e%2e/%2e%2e/x", "/%2F..%2Fx", "/a%00b"}) {
      seen.add("raw GET " + raw + " -> " + RawHttp.request(port(base), "GET", raw).status());
    }
    return seen;
  }

  static int port(String base) {
    return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
  }

  @Test
  void ourServerAndNginxAgree(@TempDir Path tmp) throws IOException {
    Path ours = tmp.resolve("ours");
    Path theirs = tmp.resolve("nginx");
    Files.createDirectories(theirs);
    List<String> expected;
    try (NginxVolume nginx = NginxVolume.start(theirs)) {
      expected = script(nginx.baseUrl());
      assertTrue(
          nginx.errorLog().isEmpty() || !nginx.errorLog().contains("[emerg]"), nginx.errorLog());
    }
    // the script really exercised nginx (not a string of identical failures)
    String all = String.join("\n", expected);
    assertTrue(all.contains("bytes=2-5 -> 206 len=4 body=2345 bytes 2-5/10"), all);
    assertTrue(all.contains("bytes=10- -> 416 bytes */10"), all);
    assertTrue(all.contains("GET /5d/41/  -> 200 {L2F=directory, a+b==file:4}"), all);
    List<String> actual;
    try (VolumeServer v = VolumeServer.start(ours, "127.0.0.1", 0)) {
      actual = script(v.baseUrl());
    }
    assertEquals(String.join("\n", expected), String.join("\n", actual));
    // and the files on disk are the same
    assertEquals(tree(theirs), tree(ours));
  }

  @Test
  void directoryWithoutSlashIsNotABlobOnEither(@TempDir Path tmp) throws IOException {
    // nginx redirects (301) to the slash form, we answer 404: neither serves a body as a blob
    Files.createDirectories(tmp.resolve("n/5d"));
    Files.createDirectories(tmp.resolve("o/5d"));
    try (NginxVolume nginx = NginxVolume.start(tmp.resolve("n"))) {
      String s = call(nginx.baseUrl(), "GET", "/5d", null, null);
      assertTrue(s.equals("301") || s.equals("404"), s);
    }
    try (VolumeServer v = VolumeServer.start(tmp.resolve("o"), "127.0.0.1", 0)) {
      assertEquals("404", call(v.baseUrl(), "GET", "/5d", null, null));
    }
  }

  static String tree(Path root) throws IOException {
    TreeMap<String, String> files = new TreeMap<>();
    try (var walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String rel = root.relativize(p).toString();
        if (rel.startsWith(".tmp") || rel.isEmpty()) {
          continue;
        }
        files.put(rel, Files.isDirectory(p) ? "dir" : Files.readString(p));
      }
    }
    return files.toString();
  }
}
