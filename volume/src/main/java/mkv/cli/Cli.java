package mkv.cli;

import java.io.PrintWriter;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs a picocli command as a process: the error and a hint, exit 2, on a bad flag; one line and
 * exit 1 on a failure.
 */
public final class Cli {
  private Cli() {}

  /**
   * Adds {@code --config} to {@code cl} and takes its defaults from {@code env} and the file {@code
   * args} name.
   */
  static CommandLine withConfig(CommandLine cl, String[] args, java.util.Map<String, String> env) {
    cl.setDefaultValueProvider(ConfigDefaults.from(args, env));
    cl.getCommandSpec()
        .addOption(
            CommandLine.Model.OptionSpec.builder("--config")
                .paramLabel("FILE")
                .type(String.class)
                .description(
                    "Defaults for these flags: a file of flag-name = value lines (volumes ="
                        + " h1:3001,h2:3001); MKV_FLAG_NAME in the environment overrides it, a flag"
                        + " on the command line overrides both (default: MKV_CONFIG).")
                .build());
    cl.getCommandSpec()
        .addOption(
            CommandLine.Model.OptionSpec.builder("--log-level")
                .paramLabel("LEVEL")
                .type(java.util.logging.Level.class)
                .converters(
                    value -> {
                      try {
                        return Logs.parse(value);
                      } catch (IllegalArgumentException e) {
                        throw new CommandLine.TypeConversionException(e.getMessage());
                      }
                    })
                .setter(
                    new CommandLine.Model.ISetter() {
                      @Override
                      public <T> T set(T value) {
                        if (value != null) {
                          Logs.level((java.util.logging.Level) value);
                        }
                        return null;
                      }
                    })
                .description("What the log shows: error, warn, info or debug (default: info).")
                .build());
    return cl;
  }

  /** Parses {@code args}, runs {@code command}, and exits with its status. */
  public static void main(Object command, String[] args) {
    Logs.setUp(Level.INFO);
    CommandLine cl;
    try {
      cl = commandLine(command, args);
    } catch (IllegalArgumentException e) {
      System.err.println(new CommandLine(command).getCommandName() + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(cl.execute(args));
  }

  /**
   * The command line {@link #main} runs for {@code args}: defaults from the environment and the
   * {@code --config} file among the args ({@link ConfigDefaults}); a bad flag prints what was wrong
   * and where to look, not the whole usage.
   *
   * @throws IllegalArgumentException when the --config file cannot be read
   */
  public static CommandLine commandLine(Object command, String... args) {
    CommandLine cl = withConfig(new CommandLine(command), args, System.getenv());
    cl.setParameterExceptionHandler(
        (e, badArgs) -> {
          PrintWriter err = e.getCommandLine().getErr();
          String name = cl.getCommandName();
          // A mistyped flag is the likelier mistake: picocli may report a missing required option
          // first (say, --db, which the mistyped flag was meant to be), so say the unknown first.
          java.util.List<String> unknown = e.getCommandLine().getUnmatchedArguments();
          if (!(e instanceof UnmatchedArgumentException) && !unknown.isEmpty()) {
            e = new UnmatchedArgumentException(e.getCommandLine(), unknown);
          }
          err.println(name + ": " + e.getMessage());
          UnmatchedArgumentException.printSuggestions(e, err);
          err.println("Try '" + name + " --help' for its flags.");
          return cl.getCommandSpec().exitCodeOnInvalidInput();
        });
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr()
              .println(
                  line.getCommandName()
                      + ": "
                      + (e.getMessage() == null ? e.toString() : e.getMessage()));
          return 1;
        });
    return cl;
  }
}
