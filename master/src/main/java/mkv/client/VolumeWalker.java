package mkv.client;

import java.util.ArrayList;
import java.util.List;
import mkv.layout.KeyPath;

/**
 * Finds every key file on a volume server (ours or stock nginx) through its autoindex JSON listing.
 *
 * <p>A volume holds {@code [/svXX]/hh/hh/name}, where a {@code /} inside the base64 name makes
 * deeper folders. The walk is split into {@link Shard}s, one per subvolume and first hex level, so
 * callers can list shards in parallel; no walk holds more than one folder's listing at a time.
 */
public final class VolumeWalker {
  private final VolumeClient client;

  public VolumeWalker(VolumeClient client) {
    this.client = client;
  }

  /** What a walk reports: each key file found, and each file that is not one. */
  public interface Sink {
    /**
     * A key's value at {@code replica} ({@code host:port[/svXX]}); {@code file} has its size and
     * mtime as listed.
     */
    void key(String replica, String key, AutoindexEntry file);

    /**
     * A file this layout does not write (a stray, or a name that does not match its folder);
     * ignored.
     */
    default void stray(String url) {}
  }

  /**
   * One first-level folder of a volume: {@code subvolume} is {@code /svXX} or empty, {@code dir} is
   * {@code /hh/}.
   */
  public record Shard(String server, String subvolume, String dir) {
    /** The replica name of the files under this shard: {@code host:port[/svXX]}. */
    public String replica() {
      return server + subvolume;
    }
  }

  /**
   * The shards of a volume server: its {@code svXX} folders' hex folders, and hex folders at its
   * root (a volume written without subvolumes). Costs one listing per subvolume, plus one.
   *
   * @throws VolumeException when the server cannot be listed (down, or not speaking autoindex JSON)
   */
  public List<Shard> shards(String server) throws VolumeException {
    return shards(server, false);
  }

  /**
   * {@link #shards(String)}, plus with {@code staging} the shards of the folders where overwrites
   * stage new values ({@link mkv.layout.Placement#staged}): {@code verify} looks there for orphans;
   * {@code rebuild} does not, since a staged copy may never have been served.
   */
  public List<Shard> shards(String server, boolean staging) throws VolumeException {
    List<AutoindexEntry> root = client.list(server, "/");
    if (root == null) {
      throw new VolumeException(server, 404, "404 listing / (is autoindex on?)", null);
    }
    List<Shard> shards = new ArrayList<>();
    for (AutoindexEntry e : root) {
      if (!e.isDirectory()) {
        continue;
      }
      if (isSubvolume(e.name()) || staging && mkv.layout.Placement.isStaged("/" + e.name())) {
        String sv = "/" + e.name();
        List<AutoindexEntry> hexes = client.list(server, sv + "/");
        for (AutoindexEntry h : hexes == null ? List.<AutoindexEntry>of() : hexes) {
          if (h.isDirectory() && isHex(h.name())) {
            shards.add(new Shard(server, sv, "/" + h.name() + "/"));
          }
        }
      } else if (isHex(e.name())) {
        shards.add(new Shard(server, "", "/" + e.name() + "/"));
      }
    }
    return shards;
  }

  /**
   * Lists every file under a shard and reports it to {@code sink}; a folder that vanished meanwhile
   * (a concurrent delete) counts as empty.
   *
   * @throws VolumeException when a listing fails; files reported before that stay reported
   */
  public void walk(Shard shard, Sink sink) throws VolumeException {
    String replica = shard.replica();
    List<AutoindexEntry> second = client.list(replica, shard.dir());
    if (second == null) {
      return;
    }
    for (AutoindexEntry h : second) {
      if (h.isDirectory() && isHex(h.name())) {
        walkNames(replica, shard.dir() + h.name() + "/", sink);
      }
    }
  }

  // Below the second hex level: files are names, folders are the parts of a name split by '/'.
  private void walkNames(String replica, String dir, Sink sink) throws VolumeException {
    if (dir.length() > KeyPath.MAX_PATH_BYTES) {
      return; // deeper than any key path: not ours
    }
    List<AutoindexEntry> entries = client.list(replica, dir);
    if (entries == null) {
      return;
    }
    for (AutoindexEntry e : entries) {
      String path = dir + e.name();
      if (e.isDirectory()) {
        walkNames(replica, path + "/", sink);
      } else if (e.isFile()) {
        String key = KeyPath.keyOf(path);
        if (key == null) {
          sink.stray(VolumeClient.url(replica, path));
        } else {
          sink.key(replica, key, e);
        }
      }
    }
  }

  /** {@code svXX}, as {@link mkv.layout.Placement} names subvolumes (upper-case hex). */
  static boolean isSubvolume(String name) {
    return name.length() == 4
        && name.startsWith("sv")
        && hexDigit(name.charAt(2), true)
        && hexDigit(name.charAt(3), true);
  }

  /** {@code hh}, as {@link KeyPath} names its folders (lower-case hex). */
  static boolean isHex(String name) {
    return name.length() == 2 && hexDigit(name.charAt(0), false) && hexDigit(name.charAt(1), false);
  }

  private static boolean hexDigit(char c, boolean upper) {
    return (c >= '0' && c <= '9') || (upper ? c >= 'A' && c <= 'F' : c >= 'a' && c <= 'f');
  }
}
