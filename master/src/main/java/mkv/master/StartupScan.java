package mkv.master;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.Record;
import mkv.layout.Placement;

/**
 * The master's one pass over the index at start-up, feeding each part what it needs from it: the
 * writes a crash left PENDING to the {@link PendingSweeper}, the overwrites left staged to the
 * {@link OverwriteSettler}, and the count of records by state to {@link MasterMetrics}. One scan
 * rather than one each, since an index of 10^8 keys takes minutes to read.
 */
final class StartupScan {
  private static final Logger LOG = Logger.getLogger(StartupScan.class.getName());

  private StartupScan() {}

  static void run(
      Index index, PendingSweeper sweeper, OverwriteSettler settler, MasterMetrics metrics) {
    List<String> pending = new ArrayList<>();
    List<String> staged = new ArrayList<>();
    MasterMetrics.Tally tally = new MasterMetrics.Tally();
    try (Index.Scan scan = index.scan("", null)) {
      while (scan.hasNext()) {
        Index.Entry e = scan.next();
        Record r = e.record();
        tally.add(r);
        if (r.state() == Record.State.PENDING) {
          pending.add(e.key());
        }
        if (r.everyCopy().stream().anyMatch(Placement::isStaged)) {
          staged.add(e.key());
        }
      }
    }
    metrics.counted(tally);
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
