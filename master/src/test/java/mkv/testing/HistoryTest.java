package mkv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The history checker tells legal histories of one key from illegal ones. */
class HistoryTest {
  private static History.Op w(String v, long s, long e) {
    return new History.Op(History.Kind.WRITE, v, s, e, true);
  }

  private static History.Op r(String v, long s, long e) {
    return new History.Op(History.Kind.READ, v, s, e, true);
  }

  private static History.Op d(long s, long e) {
    return new History.Op(History.Kind.DELETE, null, s, e, true);
  }

  @Test
  void aReadAfterAnAcknowledgedWriteMustSeeIt() {
    assertTrue(History.linearizable(List.of(w("a", 0, 10), r("a", 20, 30))));
    assertFalse(History.linearizable(List.of(w("a", 0, 10), r(null, 20, 30))), "stale read");
    // overlapping: either is fine
    assertTrue(History.linearizable(List.of(w("a", 0, 10), r(null, 5, 30))));
  }

  @Test
  void aDeletedKeyDoesNotComeBack() {
    assertFalse(
        History.linearizable(List.of(w("a", 0, 10), d(20, 30), r("a", 40, 50))),
        "a deleted value read later");
    assertTrue(History.linearizable(List.of(w("a", 0, 10), d(20, 30), r(null, 40, 50))));
  }

  @Test
  void readsMustNotGoBackInTime() {
    assertFalse(
        History.linearizable(
            List.of(w("a", 0, 10), w("b", 20, 30), r("b", 40, 45), r("a", 50, 60))));
  }

  @Test
  void aWriteOfUnknownOutcomeMayOrMayNotHaveHappened() {
    History.Op unknown = new History.Op(History.Kind.WRITE, "b", 20, Long.MAX_VALUE, false);
    assertTrue(History.linearizable(List.of(w("a", 0, 10), unknown, r("a", 40, 50))));
    assertTrue(History.linearizable(List.of(w("a", 0, 10), unknown, r("b", 40, 50))));
    assertFalse(
        History.linearizable(List.of(w("a", 0, 10), unknown, r("b", 40, 50), r("a", 60, 70))));
  }

  @Test
  void violationsNameTheKey() {
    History h = new History();
    h.wrote("/k", "a", 0, 10);
    h.read("/k", "x", 20, 30);
    h.wrote("/j", "a", 0, 10);
    h.read("/j", "a", 20, 30);
    assertEquals(1, h.violations().size());
    assertTrue(h.violations().get(0).startsWith("/k: "));
  }
}
