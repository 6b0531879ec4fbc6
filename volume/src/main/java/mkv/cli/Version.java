package mkv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version every command prints for {@code -V}/{@code --version}: the Maven project's, set at
 * build time.
 */
public final class Version implements IVersionProvider {
  /**
   * The project version, e.g. {@code 0.1.0-SNAPSHOT}, or "unknown" when run from unbuilt classes.
   */
  public static String get() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"mkv " + get() + " (Java " + Runtime.version() + ")"};
  }
}
