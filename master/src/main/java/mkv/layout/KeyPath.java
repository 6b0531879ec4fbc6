package mkv.layout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Where a key's value lives on a volume: minikeyvalue's {@code /hh/hh/base64(key)} layout.
 *
 * <p>The two {@code hh} are the first two bytes of md5(key) in lowercase hex, which spreads keys
 * over 65536 directories; the name is the standard base64 of the key bytes, padding included. A
 * {@code /} inside the base64 makes a deeper path: minikeyvalue writes it that way, so every scan
 * must walk below the second hex level.
 *
 * <p>One case minikeyvalue cannot store: a name ending in {@code /} (keys of a length divisible by
 * three whose last byte ends in six one bits, such as {@code ?} or a Cyrillic {@code п}) would be a
 * directory. Such a name gets {@value #TRAILING_SLASH_FILE} as its last segment; {@code _} is not
 * in the base64 alphabet, so this can collide with no other key.
 */
public final class KeyPath {
  /** Longest file or directory name the common Linux filesystems accept. */
  public static final int MAX_SEGMENT_BYTES = 255;

  /** Longest path a volume is asked to store, leaving room under PATH_MAX for its root. */
  public static final int MAX_PATH_BYTES = 3072;

  static final String TRAILING_SLASH_FILE = "_";

  private static final HexFormat HEX = HexFormat.of();

  /** MessageDigest.getInstance costs more than hashing a short key: one digest per thread. */
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(KeyPath::md5);

  private KeyPath() {}

  /** The path of {@code key} on a volume, without the subvolume: {@code /hh/hh/base64}. */
  public static String of(String key) {
    return of(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The path of the key bytes on a volume, without the subvolume: {@code /hh/hh/base64}. */
  public static String of(byte[] key) {
    byte[] md5 = md5(key);
    String name = Base64.getEncoder().encodeToString(key);
    StringBuilder path = new StringBuilder(name.length() + 9).append('/');
    HEX.toHexDigits(path, md5[0]).append('/');
    HEX.toHexDigits(path, md5[1]).append('/').append(name);
    if (name.endsWith("/")) {
      path.append(TRAILING_SLASH_FILE);
    }
    return path.toString();
  }

  /**
   * Whether a key's path (from {@link #of}) can be stored: every segment fits a file name and the
   * whole path fits a volume. A key that fails this is answered with 414.
   */
  public static boolean fits(String path) {
    if (path.length() > MAX_PATH_BYTES) {
      return false;
    }
    int start = 1;
    while (start < path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      if (end - start > MAX_SEGMENT_BYTES) {
        return false; // base64 is ASCII, so characters are bytes
      }
      start = end + 1;
    }
    return true;
  }

  /**
   * The key stored at {@code path} (a path under a volume or subvolume root, {@code /hh/hh/name}),
   * or null when the path is not one this layout writes: a stray file, a temp file, or a name whose
   * hex prefix does not match its key's md5.
   */
  public static String keyOf(String path) {
    if (path.length() < 8
        || path.charAt(0) != '/'
        || path.charAt(3) != '/'
        || path.charAt(6) != '/') {
      return null;
    }
    String name = path.substring(7);
    if (name.endsWith("/" + TRAILING_SLASH_FILE)) {
      name = name.substring(0, name.length() - TRAILING_SLASH_FILE.length());
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(name);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
    // Re-encoding must give back the exact path: rejects non-canonical base64 and wrong prefixes.
    if (key.length == 0 || !of(key).equals(path)) {
      return null;
    }
    String text = new String(key, StandardCharsets.UTF_8);
    return Arrays.equals(text.getBytes(StandardCharsets.UTF_8), key) ? text : null;
  }

  /** md5 of the given bytes. */
  public static byte[] md5(byte[] bytes) {
    return MD5.get().digest(bytes);
  }

  /** md5 of {@code a} followed by {@code b}, as placement scores a volume. */
  static byte[] md5(byte[] a, byte[] b) {
    MessageDigest digest = MD5.get();
    digest.update(a);
    return digest.digest(b);
  }

  /** A fresh MD5 digest; every JVM has MD5. */
  public static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException impossible) {
      throw new AssertionError("every JVM has MD5", impossible);
    }
  }
}
