package mkv.layout;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The cluster's shape as every command takes it ({@code --volumes}, {@code --replicas}, {@code
 * --subvolumes}; a picocli mixin), validated once, into a {@link Placement}. Like every flag they
 * may come from {@code MKV_VOLUMES}... or a {@code --config} file; a master's index also keeps the
 * placement it runs, which commands that open it use when {@code --volumes} is not given.
 */
public final class PlacementOptions {
  @Option(
      names = "--volumes",
      split = ",",
      paramLabel = "HOST:PORT",
      description =
          "Volume servers, host:port,... Their names place keys: spell them the same everywhere "
              + "(default: what the index holds, for commands that open one).")
  List<String> volumes;

  @Option(
      names = "--replicas",
      defaultValue = "3",
      paramLabel = "N",
      description = "Copies of each value (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--subvolumes",
      defaultValue = "10",
      paramLabel = "N",
      description = "Subvolume folders per volume, sv00.. (default: ${DEFAULT-VALUE}).")
  int subvolumes;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /**
   * Whether {@code --volumes} was given (on the command line, in the environment or the config
   * file).
   */
  public boolean given() {
    return volumes != null && !volumes.isEmpty();
  }

  /** Whether {@code flag} was set rather than left at its default. */
  public boolean isSet(String flag) {
    return command.commandLine().getParseResult().hasMatchedOption(flag)
        || command.commandLine().getDefaultValueProvider() instanceof mkv.cli.ConfigDefaults d
            && d.sets(flag);
  }

  /**
   * The placement the flags describe.
   *
   * @param stored the placement the index holds, used when {@code --volumes} is not given; may be
   *     null
   * @throws CommandLine.ParameterException (a bad flag: exit 2) naming what is wrong
   */
  public Placement placement(Placement stored) {
    if (!given()) {
      if (stored != null) {
        return stored;
      }
      throw new CommandLine.ParameterException(
          command.commandLine(),
          "--volumes is required (or MKV_VOLUMES, or volumes= in the --config file)");
    }
    try {
      return new Placement(volumes.stream().map(String::trim).toList(), replicas, subvolumes);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
    }
  }
}
