package mkv.s3;

import java.io.IOException;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The janitor of multipart uploads: deletes the uploads untouched (no part written) for the grace
 * period, with their parts, and parts left without an upload (an abort racing an UploadPart). Every
 * gateway runs it periodically; several may run at once, each delete being idempotent. It reads
 * every marker, and the parts of each older than the grace, once per run.
 */
final class UploadSweeper {
  private static final Logger LOG = Logger.getLogger(UploadSweeper.class.getName());

  private final MasterClient master;
  private final Uploads uploads;
  private final Duration grace;

  UploadSweeper(MasterClient master, Uploads uploads, Duration grace) {
    this.master = master;
    this.uploads = uploads;
    this.grace = grace;
  }

  /**
   * One pass.
   *
   * @return how many uploads it deleted
   */
  int sweep() throws IOException {
    long cutoff = System.currentTimeMillis() - grace.toMillis();
    int n = 0;
    String start = null;
    for (int pages = 0; pages < 10_000; pages++) {
      MasterClient.Page page = master.list(Upload.UPLOADS, start, 1000);
      for (MasterClient.Entry e : page.entries()) {
        Upload u = Upload.of(e);
        if (u == null || e.created() > cutoff || lastPartAfter(u, cutoff)) {
          continue;
        }
        uploads.delete(u);
        LOG.info(
            "abandoned upload "
                + u.id()
                + " of /"
                + u.bucket()
                + "/"
                + u.key()
                + " deleted (untouched for "
                + grace.toSeconds()
                + " s)");
        n++;
      }
      if (page.next().isEmpty()) {
        break;
      }
      start = page.next();
    }
    sweepOrphanParts(cutoff);
    return n;
  }

  /** Whether upload {@code u} got a part after {@code cutoff}: it is still in use. */
  private boolean lastPartAfter(Upload u, long cutoff) throws IOException {
    String start = null;
    for (int pages = 0; pages < 20; pages++) {
      MasterClient.Page page = master.list(u.parts(), start, 1000);
      for (MasterClient.Entry e : page.entries()) {
        if (e.created() > cutoff) {
          return true;
        }
      }
      if (page.next().isEmpty()) {
        return false;
      }
      start = page.next();
    }
    return true;
  }

  private void sweepOrphanParts(long cutoff) throws IOException {
    String start = null;
    for (int pages = 0; pages < 10_000; pages++) {
      MasterClient.Page page = master.list(Upload.PARTS, start, 1000);
      String lastMarker = null;
      boolean orphan = false;
      for (MasterClient.Entry e : page.entries()) {
        String marker = Upload.markerOfPart(e.key());
        if (!marker.equals(lastMarker)) {
          lastMarker = marker;
          orphan = master.locate(marker) == null;
        }
        if (orphan && e.created() <= cutoff) {
          master.delete(e.key());
        }
      }
      if (page.next().isEmpty()) {
        return;
      }
      start = page.next();
    }
  }
}
