package mkv.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the on-disk format and placement to minikeyvalue's own test vectors. */
class LayoutGoldenTest {
  private final Placement stooges = new Placement(List.of("larry", "moe", "curly"), 1, 3);

  @Test
  void placementMatchesMinikeyvalue() {
    assertEquals(List.of("larry/sv00"), stooges.replicasFor("hello"));
    assertEquals(List.of("curly/sv01"), stooges.replicasFor("helloworld"));
    assertEquals(List.of("moe/sv02"), stooges.replicasFor("world"));
    assertEquals(List.of("curly/sv01"), stooges.replicasFor("blah"));
  }

  @Test
  void pathMatchesMinikeyvalue() {
    assertEquals("/5d/41/aGVsbG8=", KeyPath.of("hello"));
    assertEquals("/fc/5e/aGVsbG93b3JsZA==", KeyPath.of("helloworld"));
  }

  @Test
  void placementIsStableInTheVolumeNameNotItsPosition() {
    Placement reordered = new Placement(List.of("curly", "larry", "moe"), 1, 3);
    for (String key : List.of("hello", "helloworld", "world", "blah", "/a/b/c")) {
      assertEquals(stooges.replicasFor(key), reordered.replicasFor(key));
    }
  }

  @Test
  void replicasAreDistinctVolumesAndWithoutSubvolumeWhenOne() {
    Placement p = new Placement(List.of("a:1", "b:2", "c:3", "d:4"), 3, 1);
    List<String> r = p.replicasFor("/key");
    assertEquals(3, r.size());
    assertEquals(3, r.stream().distinct().count());
    assertTrue(r.stream().noneMatch(v -> v.contains("/")));
  }

  @Test
  void keyOfInvertsThePath() {
    for (String key : List.of("/hello", "/a/b?c", "/ключ/значение", "/a?", "/日本語", "/🎉 emoji")) {
      assertEquals(key, KeyPath.keyOf(KeyPath.of(key)), key);
    }
    assertNull(KeyPath.keyOf("/5d/41/notbase64!"));
    assertNull(KeyPath.keyOf("/00/00/aGVsbG8=")); // right name, wrong md5 prefix
  }

  @Test
  void base64EndingInSlashGetsAFileName() {
    // "/a?" is three bytes whose last six bits are all ones: base64 "L2E/", a directory name.
    String path = KeyPath.of("/a?");
    assertTrue(path.endsWith("/L2E/_"), path);
    assertEquals("/a?", KeyPath.keyOf(path));
  }

  @Test
  void overLongKeysDoNotFit() {
    assertTrue(KeyPath.fits(KeyPath.of("/" + "k".repeat(180))));
    assertFalse(
        KeyPath.fits(
            KeyPath.of(
                "/" + "k".repeat(200)))); // 201 bytes -> 268 base64 characters in one segment
  }
}
