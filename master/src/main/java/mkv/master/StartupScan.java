package mkv.master;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.Placement;

/**
 * What the master picks up at start-up from the index's list of unfinished keys ({@link
 * Index#forEachUnfinished}): the writes a crash left PENDING go to the {@link PendingSweeper}, the
 * overwrites left staged to the {@link OverwriteSettler}. Reads only those keys, however large the
 * index.
 */
final class StartupScan {
  private static final Logger LOG = Logger.getLogger(StartupScan.class.getName());

  private StartupScan() {}

  static void run(Index index, PendingSweeper sweeper, OverwriteSettler settler) {
    List<String> pending = new ArrayList<>();
    List<String> staged = new ArrayList<>();
    index.forEachUnfinished(
        key -> {
          Record r = index.get(key);
          if (r == null) {
            return;
          }
          if (r.state() == Record.State.PENDING) {
            pending.add(key);
          }
          if (r.everyCopy().stream().anyMatch(Placement::isStaged)) {
            staged.add(key);
          }
        });
    int n = sweeper.resolve(pending);
    if (n > 0) {
      LOG.info("start-up: rolled back " + n + " writes a crash left unfinished");
    }
    staged.forEach(settler::settle);
    if (!staged.isEmpty()) {
      LOG.info(
          "start-up: "
              + staged.size()
              + " overwritten keys to move home from their staging folders");
    }
  }
}
