package mkv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import mkv.layout.Placement;
import org.junit.jupiter.api.Test;

/** The index record codec: ours round-trips, older and minikeyvalue records are read. */
class RecordTest {
  @Test
  void roundTripsEveryField() {
    Record r =
        Record.live(List.of("a:1/sv01", "b:2/sv03"))
            .withState(Record.State.DELETING)
            .withSize(42)
            .withMd5("2063c1608d6e0baf80249c42e2be5804")
            .withCreated(1700000000000L)
            .withMissing(List.of("b:2/sv03"))
            .placedBy("0123456789abcdef");
    assertEquals(r, Record.decode(r.encode()));
    Record moved =
        r.movedTo(List.of("c:3/sv00"), "fedcba9876543210", List.of("a:1/sv01", "b:2/sv03"));
    assertEquals(moved, Record.decode(moved.encode()));
    assertEquals(List.of("c:3/sv00", "a:1/sv01", "b:2/sv03"), moved.everyCopy());
    assertEquals(List.of("c:3/sv00"), moved.holders());
    Record bare = Record.pending(List.of("a:1"), 5);
    assertEquals(bare, Record.decode(bare.encode()));
  }

  @Test
  void eachCopyChangesOneFieldAndKeepsPlacementAndLeaving() {
    Record moved =
        Record.live(List.of("a:1"))
            .withSize(3)
            .withCreated(9)
            .movedTo(List.of("c:3"), "0123456789abcdef", List.of("a:1"));
    Record hashed = moved.withMd5("2063c1608d6e0baf80249c42e2be5804");
    assertEquals("0123456789abcdef", hashed.placement());
    assertEquals(List.of("a:1"), hashed.leaving());
    assertEquals(3, hashed.size());
    assertEquals(9, hashed.created());
    assertEquals(List.of("c:3"), hashed.withSize(4).withMissing(List.of("c:3")).replicas());
    assertEquals(moved, hashed.withMd5(null));
  }

  @Test
  void versionAndExpiryAreTheLastFieldsWrittenOnlyWhenSet() {
    Record r = Record.live(List.of("a:1")).withSize(5).withCreated(7).withVersion(42);
    assertEquals("mkv1 L 5 - 7 a:1 - - - - 42", new String(r.encode(), StandardCharsets.UTF_8));
    assertEquals(r, Record.decode(r.encode()));
    Record expiring = r.withExpires(1_800_000_000_000L).withMeta("f=1");
    assertEquals(
        "mkv1 L 5 - 7 a:1 - - - f=1 42 1800000000000",
        new String(expiring.encode(), StandardCharsets.UTF_8));
    assertEquals(expiring, Record.decode(expiring.encode()));
    assertEquals(42, expiring.withSize(6).withMissing(List.of("a:1")).version());
    assertTrue(expiring.expiredAt(1_800_000_000_000L));
    assertFalse(expiring.expiredAt(1_799_999_999_999L));
    assertFalse(r.expiredAt(Long.MAX_VALUE), "0 is never");
    // a record of the build before versions reads as version 0, never expiring
    Record old = Record.decode("mkv1 L 5 - 7 a:1 - - - m".getBytes(StandardCharsets.UTF_8));
    assertEquals(0, old.version());
    assertEquals(0, old.expires());
    assertEquals("m", old.meta());
  }

  @Test
  void metaIsTheTenthFieldAndSurvivesEveryCopy() {
    Record r =
        Record.live(List.of("a:1"))
            .withSize(5)
            .withCreated(7)
            .withMeta("content-type=text%2Fplain");
    assertEquals(
        "mkv1 L 5 - 7 a:1 - - - content-type=text%2Fplain",
        new String(r.encode(), StandardCharsets.UTF_8));
    assertEquals(r, Record.decode(r.encode()));
    assertEquals(
        "content-type=text%2Fplain",
        r.withState(Record.State.UNLINKED).movedTo(List.of("b:2"), "f", List.of("a:1")).meta());
    assertThrows(IllegalArgumentException.class, () -> r.withMeta("two words"));
    assertEquals(
        "content-type=text%2Fplain", r.withMd5(null).withSize(1).withMissing(List.of()).meta());
  }

  @Test
  void readsRecordsWrittenWithoutThePlacementField() {
    Record r = Record.decode("mkv1 L 3 - 7 a:1,b:2 -".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("a:1", "b:2"), r.replicas());
    assertNull(r.placement());
  }

  @Test
  void readsMinikeyvalueRecords() {
    Record soft =
        Record.decode(
            "DELETEDHASH2063c1608d6e0baf80249c42e2be5804localhost:3001/sv01"
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(Record.State.UNLINKED, soft.state());
    assertEquals("2063c1608d6e0baf80249c42e2be5804", soft.md5());
    assertEquals(List.of("localhost:3001/sv01"), soft.replicas());
    assertEquals(
        Record.State.DELETING,
        Record.decode("DELETINGlocalhost:3001".getBytes(StandardCharsets.UTF_8)).state());
    assertEquals(
        Record.State.LIVE,
        Record.decode("localhost:3001,localhost:3002".getBytes(StandardCharsets.UTF_8)).state());
  }

  @Test
  void corruptRecordsAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Record.decode("mkv1 L 3".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void placementFingerprintIgnoresVolumeOrderButNotTheSet() {
    Placement abc = new Placement(List.of("a:1", "b:2", "c:3"), 2, 10);
    assertEquals(
        abc.fingerprint(), new Placement(List.of("c:3", "a:1", "b:2"), 2, 10).fingerprint());
    assertNotEquals(
        abc.fingerprint(), new Placement(List.of("a:1", "b:2", "d:4"), 2, 10).fingerprint());
    assertNotEquals(
        abc.fingerprint(), new Placement(List.of("a:1", "b:2", "c:3"), 3, 10).fingerprint());
    assertNotEquals(
        abc.fingerprint(), new Placement(List.of("a:1", "b:2", "c:3"), 2, 1).fingerprint());
  }
}
