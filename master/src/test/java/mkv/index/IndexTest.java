package mkv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The index is held by one opener at a time, and let go on close. */
@Timeout(30)
class IndexTest {
  @TempDir Path tmp;

  @Test
  void aSecondOpenIsRefusedUntilTheFirstCloses() throws Exception {
    try (Index first = Index.open(tmp)) {
      first.put("/k", Record.live(List.of("a:1")).withSize(1), true);
      IndexLockedException e = assertThrows(IndexLockedException.class, () -> Index.open(tmp));
      assertEquals(
          "index " + tmp + " is locked by another process (is a master or tool running on it?)",
          e.getMessage());
    }
    try (Index again = Index.open(tmp)) {
      assertEquals(1, again.get("/k").size());
    }
  }
}
