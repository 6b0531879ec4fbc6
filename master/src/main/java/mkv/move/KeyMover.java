package mkv.move;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.logging.Logger;
import mkv.client.SourceException;
import mkv.client.VolumeClient;
import mkv.client.VolumeException;
import mkv.client.Written;
import mkv.index.Record;
import mkv.layout.KeyPath;
import okhttp3.Response;

/**
 * Moves one key's value to the replicas a placement wants, in two steps that make a crash between
 * or inside them safe, for the offline rebalance and the master's online one alike.
 *
 * <ol>
 *   <li>{@link #copy}: stream the value from a holder to the wanted replicas that lack it and check
 *       what arrived (size, and md5 when the record has one); a failed copy is removed and the record
 *       is untouched. The caller then stores the returned record, which serves the new replicas and
 *       names the old ones as {@link Record#leaving()}, durably before the next step.
 *   <li>{@link #dropLeaving}: delete the leaving copies, and return the record without them.
 * </ol>
 * A copy made but not yet recorded is overwritten by the next attempt; a leaving copy not yet
 * deleted is still in the record, so the next attempt deletes it.
 */
public final class KeyMover {
  private static final Logger LOG = Logger.getLogger(KeyMover.class.getName());

  private final VolumeClient client;
  private final Throttle throttle;

  /** @param throttle bounds the bytes copied per second, shared by every move */
  public KeyMover(VolumeClient client, Throttle throttle) {
    this.client = client;
    this.throttle = throttle;
  }

  /** Whether {@code record} is exactly where {@code want} says, with nothing to fill or delete. */
  public static boolean inPlace(Record record, List<String> want) {
    return record.missing().isEmpty() && record.leaving().isEmpty() && record.replicas().size() == want.size()
        && want.containsAll(record.replicas());
  }

  /**
   * Copies the value to the replicas of {@code want} that do not hold it.
   *
   * @param placement the fingerprint of the placement that chose {@code want}
   * @return the record to store before {@link #dropLeaving}: served from {@code want}, the other
   *     copies leaving, size and md5 filled in when the record lacked them
   * @throws IOException when no holder could be copied intact, or a target failed; nothing is left
   *     behind on the targets that answered
   */
  public Record copy(String key, Record record, List<String> want, String placement) throws IOException {
    return copy(key, record, want, placement, record.holders());
  }

  /**
   * {@link #copy(String, Record, List, String)}, reading from the holders in the order of
   * {@code sources} (those up first, say), which must list every holder to be tried.
   */
  public Record copy(String key, Record record, List<String> want, String placement, List<String> sources)
      throws IOException {
    List<String> holders = record.holders();
    List<String> targets = minus(want, holders);
    long size = record.size();
    String md5 = record.md5();
    if (!targets.isEmpty()) {
      Written written = copyTo(key, KeyPath.of(key), sources, targets, record);
      size = written.size();
      md5 = md5 != null ? md5 : written.md5();
    }
    List<String> leaving = new ArrayList<>(minus(holders, want));
    for (String r : minus(record.leaving(), want)) {
      if (!leaving.contains(r)) {
        leaving.add(r);
      }
    }
    return new Record(record.state(), want, size, md5, record.created(), List.of(), placement, leaving,
        record.meta());
  }

  /**
   * Deletes the copies {@code moved} names as leaving.
   *
   * @return the record without the leaving copies that are gone (those that failed stay leaving)
   */
  public Record dropLeaving(String key, Record moved) {
    return dropLeaving(key, moved, replica -> true);
  }

  /**
   * Deletes the leaving copies on the replicas {@code reachable} accepts; the others (on a volume
   * known to be down: trying would wait out a time-out per key) stay leaving, like those that fail.
   */
  public Record dropLeaving(String key, Record moved, java.util.function.Predicate<String> reachable) {
    List<String> left = new ArrayList<>(moved.leaving().stream().filter(reachable.negate()).toList());
    for (VolumeException e : client.deleteAll(moved.leaving().stream().filter(reachable).toList(), KeyPath.of(key))) {
      left.add(e.volume());
      LOG.warning("key " + key + ": the old copy on " + e.volume() + " could not be deleted yet: " + e.getMessage());
    }
    return moved.movedTo(moved.replicas(), moved.placement(), left);
  }

  /** Streams the value from the first holder that serves it intact to every target; checks the result. */
  private Written copyTo(String key, String path, List<String> holders, List<String> targets, Record record)
      throws IOException {
    if (holders.isEmpty()) {
      throw new IOException("no replica holds it");
    }
    List<String> problems = new ArrayList<>();
    for (String source : holders) {
      Response response;
      try {
        response = client.open(source, path);
      } catch (VolumeException e) {
        problems.add(e.getMessage());
        continue;
      }
      if (response == null) {
        problems.add("replica " + source + ": 404 on GET");
        continue;
      }
      try (response) {
        long length = response.body().contentLength();
        if (record.size() >= 0 && length >= 0 && length != record.size()) {
          problems.add("replica " + source + ": holds " + length + " bytes, the record says " + record.size());
          continue;
        }
        Written written;
        try (InputStream in = throttle.wrap(response.body().byteStream())) {
          written = client.putAll(targets, path, in, length, true);
        } catch (SourceException e) {
          removeCopies(key, targets);
          problems.add("replica " + source + ": read failed: " + e.getMessage());
          continue;
        } catch (VolumeException e) {
          // The failed target acknowledged nothing; a copy it may still have made is an orphan for verify.
          removeCopies(key, minus(targets, List.of(e.volume())));
          throw new IOException("copy to " + e.volume() + " failed: " + e.getMessage(), e);
        }
        String bad = check(record, written);
        if (bad != null) {
          removeCopies(key, targets);
          problems.add("replica " + source + ": " + bad);
          continue;
        }
        // No HEAD of each copy: a volume answers 201 only once the whole announced body is in place.
        return written;
      }
    }
    throw new IOException("no replica could be read intact: " + String.join("; ", problems));
  }

  private static String check(Record record, Written written) {
    if (record.size() >= 0 && written.size() != record.size()) {
      return "copied " + written.size() + " bytes, the record says " + record.size();
    }
    if (record.md5() != null && !record.md5().equals(written.md5())) {
      return "md5 " + written.md5() + " differs from the record's " + record.md5();
    }
    return null;
  }

  /** Removes copies a failed move made; none of the targets is a holder, so nothing is lost. */
  private void removeCopies(String key, List<String> targets) {
    for (VolumeException e : client.deleteAll(targets, KeyPath.of(key))) {
      LOG.warning("key " + key + ": could not remove the copy a failed move left, an orphan: " + e.getMessage());
    }
  }

  static List<String> minus(List<String> a, List<String> b) {
    HashSet<String> drop = new HashSet<>(b);
    return a.stream().filter(x -> !drop.contains(x)).toList();
  }
}
