package mkv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands of the masters' log applied to the index: guarded, whole or not at all, versioned by
 * their log index, and skipped when replayed.
 */
@Timeout(30)
class IndexCommandTest {
  @TempDir Path tmp;

  private static final Record LIVE = Record.live(List.of("v:1")).withSize(3);

  @Test
  void aCommandRoundTripsThroughItsBytes() {
    IndexCommand c =
        new IndexCommand(
            List.of(
                new IndexCommand.Change("/a", IndexCommand.ABSENT, LIVE.withMeta("m")),
                new IndexCommand.Change("/b", 7, null)),
            List.of(
                new IndexCommand.Setting("placement", "x"), new IndexCommand.Setting("y", null)));
    assertEquals(c, IndexCommand.decode(c.encode()));
  }

  @Test
  void guardedChangesApplyWholeOrNotAtAllAndCarryTheirIndexAsVersion() throws Exception {
    try (Index index = Index.open(tmp)) {
      assertTrue(index.apply(IndexCommand.of("/a", IndexCommand.ABSENT, LIVE), 1, 10).applied());
      assertEquals(10, index.get("/a").version());
      // a writer that read version 10 may change it; one that read nothing may not
      Index.Outcome stale = index.apply(IndexCommand.of("/a", IndexCommand.ABSENT, LIVE), 1, 11);
      assertFalse(stale.applied());
      assertEquals("/a", stale.conflict());
      assertEquals(10, stale.actual());
      IndexCommand both =
          new IndexCommand(
              List.of(
                  new IndexCommand.Change("/b", IndexCommand.ABSENT, LIVE),
                  new IndexCommand.Change("/a", 9, null)), // wrong version: none applies
              List.of());
      assertFalse(index.apply(both, 1, 12).applied());
      assertNull(index.get("/b"));
      assertEquals(LogPosition.parse("1 12"), index.applied());
      assertTrue(index.apply(IndexCommand.of("/a", 10, null), 2, 13).applied());
      assertNull(index.get("/a"));
      assertEquals(0, index.counts().get(Record.State.LIVE));
    }
  }

  @Test
  void aCommandReplayedAfterARestartChangesNothing() throws Exception {
    try (Index index = Index.open(tmp)) {
      index.apply(IndexCommand.of("/a", IndexCommand.ABSENT, LIVE), 1, 5);
      index.apply(IndexCommand.of("/a", 5, LIVE.withSize(4)), 1, 6);
    }
    try (Index index = Index.open(tmp)) {
      assertEquals(new LogPosition(1, 6), index.applied());
      // the log replays from before what the index holds: both are skipped
      index.apply(IndexCommand.of("/a", IndexCommand.ABSENT, LIVE), 1, 5);
      index.apply(IndexCommand.of("/a", 5, LIVE.withSize(4)), 1, 6);
      assertEquals(4, index.get("/a").size());
      assertEquals(6, index.get("/a").version());
      assertEquals(1, index.counts().get(Record.State.LIVE));
    }
  }
}
