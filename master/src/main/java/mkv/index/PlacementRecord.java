package mkv.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mkv.layout.Placement;

/**
 * The placement kept in an index, so that every start of the master and every tool agrees on where
 * keys belong, and a move between placements that was cut short is known to be unfinished.
 */
public final class PlacementRecord {
  private static final String PLACEMENT = "placement";

  /** Volumes that may still hold keys the placement no longer puts there: a move is under way. */
  private static final String MOVING_FROM = "moving-from";

  private PlacementRecord() {}

  /** The placement the index was last run with, or null for an index that never stored one. */
  public static Placement stored(Index index) {
    String text = index.meta(PLACEMENT);
    return text == null ? null : Placement.parse(text);
  }

  /** Stores the placement every key is now where it says (no move under way). */
  public static void store(Index index, Placement placement) {
    index.putMeta(PLACEMENT, placement.describe());
    index.putMeta(MOVING_FROM, null);
  }

  /**
   * Stores {@code to} as the placement, with a move from {@code from} under way: the volumes of
   * {@code from} (and of any move it interrupts) are remembered until {@link #store} ends it.
   */
  public static void startMove(Index index, Placement from, Placement to) {
    List<String> old = new ArrayList<>(movingFrom(index));
    from.volumes().stream().filter(v -> !old.contains(v)).forEach(old::add);
    index.putMeta(MOVING_FROM, String.join(",", old));
    index.putMeta(PLACEMENT, to.describe());
  }

  /** The volumes an unfinished move is taking keys from; empty when no move is under way. */
  public static List<String> movingFrom(Index index) {
    String text = index.meta(MOVING_FROM);
    return text == null || text.isEmpty() ? List.of() : Arrays.asList(text.split(","));
  }
}
