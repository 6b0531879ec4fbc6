package mkv.cli;

import java.io.PrintWriter;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.UnmatchedArgumentException;

/** Runs a picocli command as a process: the error and a hint, exit 2, on a bad flag; one line and exit 1 on a failure. */
public final class Cli {
  private Cli() {}

  /** Parses {@code args}, runs {@code command}, and exits with its status. */
  public static void main(Object command, String[] args) {
    Logs.setUp(Level.INFO);
    System.exit(commandLine(command).execute(args));
  }

  /** The command line {@link #main} runs: a bad flag prints what was wrong and where to look, not the whole usage. */
  public static CommandLine commandLine(Object command) {
    CommandLine cl = new CommandLine(command);
    cl.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      String name = cl.getCommandName();
      err.println(name + ": " + e.getMessage());
      UnmatchedArgumentException.printSuggestions(e, err);
      err.println("Try '" + name + " --help' for its flags.");
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    });
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println(line.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    });
    return cl;
  }
}
