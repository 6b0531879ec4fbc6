package mkv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index is held by one opener at a time, and let go on close; it keeps its counts and its list
 * of unfinished keys with every write, across reopening.
 */
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

  @Test
  void countsAndUnfinishedKeysFollowEveryWriteAcrossReopening() throws Exception {
    try (Index index = Index.open(tmp)) {
      index.put("/a", Record.pending(List.of("v:1"), 1), false);
      index.put("/b", Record.live(List.of("v:1")), false);
      index.put("/c", Record.live(List.of("v:1")).withLeaving(List.of("v:2")), false);
      index.put("/a", Record.live(List.of("v:1")), false); // the write ended
      index.put("/b", Record.live(List.of("v:1")).withState(Record.State.DELETING), false);
      index.delete("/missing", false);
      assertEquals(2, index.counts().get(Record.State.LIVE));
      assertEquals(1, index.counts().get(Record.State.DELETING));
      assertEquals(0, index.counts().get(Record.State.PENDING));
      assertEquals(List.of("/b", "/c"), unfinished(index));
    }
    try (Index index = Index.open(tmp)) {
      assertEquals(2, index.counts().get(Record.State.LIVE));
      index.delete("/b", false);
      index.put("/c", Record.live(List.of("v:1")), false); // its old copy is gone
      assertEquals(0, index.counts().get(Record.State.DELETING));
      assertEquals(List.of(), unfinished(index));
    }
  }

  @Test
  void anIndexWithoutCountsIsCountedOnceWhenOpened() throws Exception {
    // a LevelDB written by minikeyvalue (or a build before counts): records, no counts
    org.iq80.leveldb.DB db =
        org.fusesource.leveldbjni.JniDBFactory.factory.open(
            tmp.toFile(), new org.iq80.leveldb.Options().createIfMissing(true));
    db.put(bytes("/x"), bytes("HASH0123456789abcdef0123456789abcdefa:1,b:2"));
    db.put(bytes("/y"), bytes("DELETINGa:1"));
    db.close();
    try (Index index = Index.open(tmp)) {
      assertEquals(1, index.counts().get(Record.State.LIVE));
      assertEquals(1, index.counts().get(Record.State.DELETING));
      assertEquals(List.of("/y"), unfinished(index));
    }
  }

  private static List<String> unfinished(Index index) {
    List<String> keys = new java.util.ArrayList<>();
    index.forEachUnfinished(keys::add);
    return keys;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
