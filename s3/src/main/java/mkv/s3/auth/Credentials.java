package mkv.s3.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The access keys the gateway accepts, each with its secret. Read from the environment ({@code
 * MKV_S3_ACCESS_KEY} / {@code MKV_S3_SECRET_KEY}) or from a file, never from a flag, which other
 * users of the machine could read in the process list.
 */
public final class Credentials {
  public static final String ACCESS_ENV = "MKV_S3_ACCESS_KEY";
  public static final String SECRET_ENV = "MKV_S3_SECRET_KEY";

  private final Map<String, String> secrets;

  private Credentials(Map<String, String> secrets) {
    this.secrets = Map.copyOf(secrets);
  }

  /** One key pair. */
  public static Credentials of(String accessKey, String secretKey) {
    check(accessKey, secretKey, "credentials");
    return new Credentials(Map.of(accessKey, secretKey));
  }

  /**
   * The keys of {@code file} (if not null) and of the environment (if set). The file holds one
   * {@code ACCESS_KEY SECRET_KEY} pair a line; blank lines and lines starting with {@code #} are
   * skipped.
   *
   * @throws IllegalArgumentException when there are no keys at all, a line is malformed, or only
   *     one of the two environment variables is set
   */
  public static Credentials load(Path file, Map<String, String> env) {
    Map<String, String> keys = new LinkedHashMap<>();
    if (file != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--credentials " + file + " cannot be read: " + e.getMessage());
      }
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\\s+");
        String where = file + " line " + (i + 1);
        if (f.length != 2) {
          throw new IllegalArgumentException(where + ": expected ACCESS_KEY SECRET_KEY");
        }
        check(f[0], f[1], where);
        keys.put(f[0], f[1]);
      }
    }
    String access = env.get(ACCESS_ENV);
    String secret = env.get(SECRET_ENV);
    if ((access == null) != (secret == null)) {
      throw new IllegalArgumentException(
          "set both " + ACCESS_ENV + " and " + SECRET_ENV + ", or neither");
    }
    if (access != null) {
      check(access, secret, ACCESS_ENV);
      keys.put(access, secret);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "no credentials: set "
              + ACCESS_ENV
              + " and "
              + SECRET_ENV
              + ", or give --credentials FILE (lines of ACCESS_KEY SECRET_KEY)");
    }
    return new Credentials(keys);
  }

  private static void check(String access, String secret, String where) {
    if (access.isEmpty() || secret.isEmpty() || !printable(access) || !printable(secret)) {
      throw new IllegalArgumentException(where + ": keys must be printable ASCII without spaces");
    }
  }

  private static boolean printable(String s) {
    return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /** The secret of {@code accessKey}, or null when it is unknown. */
  public String secret(String accessKey) {
    return secrets.get(accessKey);
  }

  public int size() {
    return secrets.size();
  }

  @Override
  public String toString() {
    return secrets.size() + " access key" + (secrets.size() == 1 ? "" : "s"); // never the secrets
  }
}
