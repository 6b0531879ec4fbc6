package mkv.cli;

import java.io.Console;

/** Whether this process runs on a terminal, so that drawing progress bars there makes sense. */
public final class Terminal {
  private Terminal() {}

  /**
   * True only when the process has a terminal. {@code System.console() != null} is not enough: from
   * JDK 22 a console exists for pipes too (progress bars would land in journald), and only its
   * {@code isTerminal()} (JDK 22+) tells; before 22 a console exists only on a terminal.
   */
  public static boolean attached() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException olderJdk) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
