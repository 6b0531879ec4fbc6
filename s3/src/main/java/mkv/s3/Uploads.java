package mkv.s3;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The uploads in progress as the master's index holds them ({@link Upload}): listed by prefix, and
 * deleted parts first, so that parts never outlive their upload's record.
 */
final class Uploads {
  static final int MAX_PART_NUMBER = 10_000;

  private final MasterClient master;
  private final ExecutorService deleters;

  Uploads(MasterClient master, ExecutorService deleters) {
    this.master = master;
    this.deleters = deleters;
  }

  /** Every upload in progress in {@code bucket}. */
  List<Upload> of(String bucket) throws IOException {
    List<Upload> all = new ArrayList<>();
    String start = null;
    for (int pages = 0; pages < 10_000; pages++) {
      MasterClient.Page page = master.list(Upload.markers(bucket), start, 1000);
      for (MasterClient.Entry e : page.entries()) {
        Upload u = Upload.of(e);
        if (u != null && u.key() != null) {
          all.add(u);
        }
      }
      if (page.next().isEmpty()) {
        break;
      }
      start = page.next();
    }
    return all;
  }

  /** Every part of an upload, in part order (at most 10,000). */
  List<MasterClient.Entry> parts(Upload u) throws IOException {
    List<MasterClient.Entry> all = new ArrayList<>();
    String start = null;
    for (int pages = 0; pages <= MAX_PART_NUMBER / 1000 + 1; pages++) {
      MasterClient.Page page = master.list(u.parts(), start, 1000);
      all.addAll(page.entries());
      if (page.next().isEmpty()) {
        break;
      }
      start = page.next();
    }
    return all;
  }

  /** The parts first, then the upload: parts never outlive their upload's record. */
  void delete(Upload u) throws IOException {
    deleteParts(u.parts());
    master.delete(u.marker());
  }

  /** Every upload of {@code bucket} and its parts, and any part whose upload is already gone. */
  void deleteAll(String bucket) throws IOException {
    for (Upload u : of(bucket)) {
      delete(u);
    }
    deleteParts(Upload.partsOf(bucket));
  }

  private void deleteParts(String prefix) throws IOException {
    for (int pages = 0; pages < 10_000; pages++) {
      MasterClient.Page page = master.list(prefix, null, 1000);
      if (page.entries().isEmpty()) {
        return;
      }
      List<Future<Boolean>> deletes = new ArrayList<>();
      for (MasterClient.Entry e : page.entries()) {
        deletes.add(deleters.submit(() -> master.delete(e.key())));
      }
      for (Future<Boolean> f : deletes) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted deleting parts", e);
        }
      }
    }
  }
}
