package mkv.cli;

import java.util.logging.Level;
import picocli.CommandLine;

/** Runs a picocli command as a process: usage and exit 2 on a bad flag, one line and exit 1 on a failure. */
public final class Cli {
  private Cli() {}

  /** Parses {@code args}, runs {@code command}, and exits with its status. */
  public static void main(Object command, String[] args) {
    Logs.setUp(Level.INFO);
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println(line.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    });
    System.exit(cl.execute(args));
  }
}
