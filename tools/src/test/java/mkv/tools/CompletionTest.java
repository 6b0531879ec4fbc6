package mkv.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The completion script knows every command of the launcher it covers, and their flags. */
class CompletionTest {
  @Test
  void coversTheCommandsAndTheirFlags() {
    String script = Completion.script();
    for (String word :
        new String[] {
          "master",
          "volume",
          "rebuild",
          "rebalance",
          "verify",
          "--replace-after",
          "--volumes",
          "--dry-run",
          "--repair",
          "--sync",
          "--config",
          "--log-level"
        }) {
      assertTrue(script.contains(word), "the completion script lacks " + word);
    }
    assertTrue(script.contains("complete -F"), "not a bash completion script");
  }
}
