package mkv.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's flags from one place: a flag on the command line wins, then the environment
 * ({@code --replace-after} is {@code MKV_REPLACE_AFTER}), then a {@code --config} file of {@code
 * flag-name = value} lines (a Java properties file: {@code volumes = h1:3001,h2:3001}), then the
 * flag's own default. One file can hold the cluster's shape for the master and every tool.
 */
public final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
  private final Properties file;
  private final Map<String, String> env;

  ConfigDefaults(Properties file, Map<String, String> env) {
    this.file = file;
    this.env = env;
  }

  /**
   * Reads the {@code --config} file named in {@code args} (or by {@code MKV_CONFIG}), if any.
   *
   * @throws IllegalArgumentException when it cannot be read
   */
  static ConfigDefaults from(String[] args, Map<String, String> env) {
    String path = env.get("MKV_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        path = args[i].substring("--config=".length());
      }
    }
    Properties p = new Properties();
    if (path != null) {
      try (Reader in = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--config " + path + " cannot be read: " + e.getMessage());
      }
    }
    return new ConfigDefaults(p, env);
  }

  /** The environment variable that sets {@code --flag-name}: {@code MKV_FLAG_NAME}. */
  static String envName(String flag) {
    return "MKV_" + flag.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** Whether the environment or the file sets {@code --flag-name}. */
  public boolean sets(String flag) {
    return value(flag) != null;
  }

  private String value(String flag) {
    String name = flag.replaceFirst("^-+", "");
    if (name.equals("config") || name.equals("help") || name.equals("version")) {
      return null;
    }
    String fromEnv = env.get(envName(flag));
    return fromEnv != null ? fromEnv : file.getProperty(name);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    return arg instanceof OptionSpec o && o.longestName().startsWith("--")
        ? value(o.longestName())
        : null;
  }
}
