package mkv.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sets java.util.logging (which undertow and okhttp end up in) to one line per record on stderr.
 */
public final class Logs {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  /**
   * Loggers whose INFO is a start-up banner (XNIO's versions, undertow's "starting server"),
   * printed by every server: held here, since java.util.logging keeps loggers only weakly and a
   * level set on one that is collected is lost.
   */
  private static final Logger[] QUIET = {
    Logger.getLogger("org.xnio"), Logger.getLogger("io.undertow")
  };

  private Logs() {}

  /** Call once from a process entry point. */
  public static void setUp(Level level) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(level);
    console.setFormatter(
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            String line =
                TIME.format(LocalDateTime.now())
                    + " "
                    + r.getLevel().getName()
                    + " "
                    + shortName(r.getLoggerName())
                    + ": "
                    + formatMessage(r)
                    + System.lineSeparator();
            if (r.getThrown() != null) {
              var sw = new java.io.StringWriter();
              r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
              line += sw;
            }
            return line;
          }
        });
    root.addHandler(console);
    root.setLevel(level);
    for (Logger banner : QUIET) {
      banner.setLevel(Level.WARNING);
    }
  }

  /** Changes the level of every logger set up here: {@code --log-level}. */
  public static void level(Level level) {
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    for (Handler h : root.getHandlers()) {
      h.setLevel(level);
    }
  }

  /** Reads {@code error}, {@code warn}, {@code info} or {@code debug}. */
  public static Level parse(String name) {
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "error" -> Level.SEVERE;
      case "warn", "warning" -> Level.WARNING;
      case "info" -> Level.INFO;
      case "debug" -> Level.FINE;
      default ->
          throw new IllegalArgumentException(
              "'" + name + "' is not one of error, warn, info, debug");
    };
  }

  private static String shortName(String logger) {
    if (logger == null) {
      return "";
    }
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }
}
