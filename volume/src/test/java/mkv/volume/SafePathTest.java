package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.http.HttpError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SafePathTest {
  static final Path ROOT = Path.of("/srv/volume");

  static final List<String> ESCAPES =
      List.of(
          "/../x",
          "/%2e%2e/x",
          "/%2E%2E/x",
          "/a/%2e%2e/%2e%2e/x",
          "/%2F..%2Fx",
          "/a/..%2F..%2Fx",
          "/a%2F%2E%2E%2F%2E%2E%2Fx",
          "/a/./b",
          "/.",
          "/..",
          "/a%00b",
          "/a%00/x",
          "/a\\..\\x",
          "/a%5C..%5Cx",
          "//etc/passwd",
          "/a//b",
          "/%2Fetc%2Fpasswd",
          "/%zz",
          "/%4",
          "/%c3%28",
          "/%e2%82",
          "/a%0Ab",
          "/.tmp/x",
          "/a/.hidden");

  @Test
  void mapsBase64NamesUnderRoot() {
    SafePath p = SafePath.parse(ROOT, "/sv03/5d/41/aGVsbG8=");
    assertEquals(ROOT.resolve("sv03/5d/41/aGVsbG8="), p.file());
    assertFalse(p.directory());
    assertEquals(ROOT.resolve("5d/41/L2F/iYw=="), SafePath.parse(ROOT, "/5d/41/L2F/iYw==").file());
    assertEquals(ROOT.resolve("a+b=c"), SafePath.parse(ROOT, "/a+b=c").file());
  }

  @Test
  void decodesPercentEncodingAsUtf8() {
    assertEquals(ROOT.resolve("a b/é"), SafePath.parse(ROOT, "/a%20b/%C3%A9").file());
    assertEquals(
        ROOT.resolve("a/b"), SafePath.parse(ROOT, "/a%2Fb").file()); // %2F separates, as in nginx
  }

  @Test
  void trailingSlashIsADirectory() {
    assertTrue(SafePath.parse(ROOT, "/").directory());
    assertEquals(ROOT, SafePath.parse(ROOT, "/").file());
    SafePath p = SafePath.parse(ROOT, "/5d/41/");
    assertTrue(p.directory());
    assertEquals(ROOT.resolve("5d/41"), p.file());
  }

  @Test
  void refusesEveryEscapeAndOddity() {
    for (String raw : ESCAPES) {
      HttpError e = assertThrows(HttpError.class, () -> SafePath.parse(ROOT, raw), raw);
      assertEquals(400, e.status(), raw);
    }
    assertThrows(HttpError.class, () -> SafePath.parse(ROOT, "x"));
    assertThrows(HttpError.class, () -> SafePath.parse(ROOT, "/" + "a".repeat(256)));
  }

  @Test
  void escapesOverTheWireAre400AndWriteNothingOutside(@TempDir Path base) throws IOException {
    Path root = base.resolve("root/volume");
    Files.createDirectories(root);
    try (VolumeServer v = VolumeServer.start(root, "127.0.0.1", 0)) {
      for (String raw : ESCAPES) {
        for (String method : new String[] {"PUT", "GET", "DELETE"}) {
          RawHttp.Response r = RawHttp.request(v.port(), method, raw);
          assertEquals(400, r.status(), method + " " + raw);
        }
      }
    }
    try (Stream<Path> all = Files.walk(base)) {
      // only the two directories and the (empty) temp directory exist: nothing was written anywhere
      assertEquals(
          List.of(base, base.resolve("root"), root, root.resolve(".tmp")), all.sorted().toList());
    }
  }

  @Test
  void encodedUtf8NamesWorkAndRawNonAsciiIsRefused(@TempDir Path root) throws IOException {
    assumeTrue(
        "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
        "non-ASCII file names need a UTF-8 locale (LANG=C.UTF-8)");
    try (VolumeServer v = VolumeServer.start(root, "127.0.0.1", 0)) {
      assertEquals(201, RawHttp.request(v.port(), "PUT", "/caf%C3%A9").status());
      assertTrue(Files.exists(root.resolve("caf\u00e9")));
      assertEquals(200, RawHttp.request(v.port(), "GET", "/caf%c3%a9").status());
      // unencoded UTF-8 bytes in the request line are invalid HTTP; undertow's parser refuses them
      assertEquals(400, RawHttp.request(v.port(), "GET", "/caf\u00c3\u00a9").status());
    }
  }
}
