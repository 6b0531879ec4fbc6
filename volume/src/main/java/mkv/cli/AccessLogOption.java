package mkv.cli;

import picocli.CommandLine.Option;

/** {@code --access-log}, the same on every server (a picocli mixin). */
public final class AccessLogOption {
  @Option(
      names = "--access-log",
      paramLabel = "FILE",
      description =
          "Log each request to FILE in the common log format (- for stderr; default: none).")
  public String file;
}
