package mkv.tools;

import java.util.Arrays;
import mkv.tools.rebalance.RebalanceCommand;
import mkv.tools.rebuild.RebuildCommand;
import mkv.tools.top.TopCommand;
import mkv.tools.verify.VerifyCommand;

/** {@code java -jar mkv-tools.jar rebuild|rebalance|verify|top ...}: the tools' jar, runnable. */
public final class ToolsMain {
  private ToolsMain() {}

  public static void main(String[] args) {
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (args.length == 0 ? "" : args[0]) {
      case "rebuild" -> RebuildCommand.main(rest);
      case "rebalance" -> RebalanceCommand.main(rest);
      case "verify" -> VerifyCommand.main(rest);
      case "top" -> TopCommand.main(rest);
      default -> {
        System.err.println("usage: java -jar mkv-tools.jar rebuild|rebalance|verify|top [--help]");
        System.exit(2);
      }
    }
  }
}
