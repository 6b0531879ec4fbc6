package mkv.layout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;

/**
 * Which volumes hold a key: minikeyvalue's {@code key2volume}, byte for byte, so that existing
 * clusters can be adopted and every tool agrees with the master.
 *
 * <p>Each volume scores md5(key bytes + volume name bytes); the highest scores win. The ranking is
 * stable in the volume's name (not its position!), so when volumes are added only the keys that now
 * rank a new volume first move.
 */
public final class Placement {
  private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

  private final List<String> volumes;
  private final byte[][] names;
  private final int replicas;
  private final int subvolumes;
  private final String fingerprint;

  /**
   * @param volumes the volume servers, {@code host:port}
   * @throws IllegalArgumentException when there are fewer volumes than replicas, or counts below 1
   */
  public Placement(List<String> volumes, int replicas, int subvolumes) {
    if (replicas < 1 || subvolumes < 1) {
      throw new IllegalArgumentException("replicas and subvolumes must be at least 1");
    }
    if (volumes.size() < replicas) {
      throw new IllegalArgumentException(
          "need at least "
              + replicas
              + " volumes for "
              + replicas
              + " replicas, have "
              + volumes.size());
    }
    if (new HashSet<>(volumes).size() != volumes.size()) {
      throw new IllegalArgumentException("a volume is listed twice: " + volumes);
    }
    this.volumes = List.copyOf(volumes);
    this.names =
        volumes.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.replicas = replicas;
    this.subvolumes = subvolumes;
    // Placement depends on the set of names, not their order.
    String canonical =
        volumes.stream().sorted().collect(java.util.stream.Collectors.joining(","))
            + ";"
            + replicas
            + ";"
            + subvolumes;
    this.fingerprint =
        HexFormat.of().formatHex(KeyPath.md5(canonical.getBytes(StandardCharsets.UTF_8)), 0, 8);
  }

  /**
   * Names this placement (its volumes as a set, replicas, subvolumes): two placements with the same
   * fingerprint put every key on the same replicas. Records keep it so a GET need not recompute.
   */
  public String fingerprint() {
    return fingerprint;
  }

  public List<String> volumes() {
    return volumes;
  }

  /**
   * The same placement over fewer volumes: each key's best ones among the rest (its next in rank).
   */
  public Placement without(Collection<String> gone) {
    return new Placement(
        volumes.stream().filter(v -> !gone.contains(v)).toList(), replicas, subvolumes);
  }

  /** Whether both put every key on the same replicas. */
  public boolean sameAs(Placement other) {
    return other != null && fingerprint.equals(other.fingerprint);
  }

  /**
   * {@code volumes=a:1,b:2 replicas=3 subvolumes=10}: how the index stores it, and how messages
   * show it.
   */
  public String describe() {
    return "volumes="
        + String.join(",", volumes)
        + " replicas="
        + replicas
        + " subvolumes="
        + subvolumes;
  }

  /**
   * Reads {@link #describe()}.
   *
   * @throws IllegalArgumentException when the text is not one
   */
  public static Placement parse(String text) {
    String[] f = text.trim().split(" ");
    if (f.length != 3
        || !f[0].startsWith("volumes=")
        || !f[1].startsWith("replicas=")
        || !f[2].startsWith("subvolumes=")) {
      throw new IllegalArgumentException("not a placement: " + text);
    }
    return new Placement(
        Arrays.asList(f[0].substring(8).split(",")),
        Integer.parseInt(f[1].substring(9)),
        Integer.parseInt(f[2].substring(11)));
  }

  @Override
  public String toString() {
    return describe();
  }

  public int replicas() {
    return replicas;
  }

  public int subvolumes() {
    return subvolumes;
  }

  /**
   * The replicas that should hold {@code key}, best first: {@code host:port} or {@code
   * host:port/svXX}.
   */
  public List<String> replicasFor(String key) {
    return replicasFor(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The replicas that should hold the key bytes, best first. */
  public List<String> replicasFor(byte[] key) {
    byte[][] scores = new byte[names.length][];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = KeyPath.md5(key, names[i]);
    }
    // The `replicas` highest scores, best first; on equal scores the earlier volume wins, as Go's
    // sort.Stable orders them (a selection, cheaper than sorting every volume on the GET path).
    boolean[] taken = new boolean[names.length];
    List<String> chosen = new ArrayList<>(replicas);
    for (int n = 0; n < replicas; n++) {
      int best = -1;
      for (int i = 0; i < scores.length; i++) {
        if (!taken[i] && (best < 0 || Arrays.compareUnsigned(scores[i], scores[best]) > 0)) {
          best = i;
        }
      }
      taken[best] = true;
      byte[] score = scores[best];
      String volume = volumes.get(best);
      if (subvolumes == 1) {
        chosen.add(volume);
      } else {
        long sv =
            ((score[12] & 0xffL) << 24)
                | ((score[13] & 0xff) << 16)
                | ((score[14] & 0xff) << 8)
                | (score[15] & 0xff);
        chosen.add(volume + "/sv" + subvolumeName(sv % subvolumes));
      }
    }
    return chosen;
  }

  /** Whether {@code replicas} are exactly where this placement puts {@code key}, in any order. */
  public boolean isBalanced(String key, Collection<String> replicas) {
    List<String> want = replicasFor(key);
    return replicas.size() == want.size()
        && want.containsAll(replicas); // replica lists hold no duplicates
  }

  /** {@code %02X}, without String.format: its pattern parsing dominated the GET path. */
  private static String subvolumeName(long sv) {
    return sv < 256
        ? UPPER_HEX.toHexDigits((byte) sv)
        : Long.toHexString(sv).toUpperCase(java.util.Locale.ROOT);
  }

  /** The volume server of a replica: {@code host:port} of {@code host:port/svXX}. */
  public static String server(String replica) {
    int slash = replica.indexOf('/');
    return slash < 0 ? replica : replica.substring(0, slash);
  }

  /**
   * Where an overwrite stages a key's new value: the folder {@code /_overwrite0} or {@code
   * /_overwrite1} at the root of each of {@code replicas}' volumes, the one not used by {@code
   * inUse} (the replicas serving the key now), so the copies being served are never touched. A
   * staged copy lives at {@code {server}/_overwriteN/{hh}/{hh}/{base64(key)}}: outside the
   * subvolume folders, so {@code rebuild} ignores it, while {@code verify} walks it for orphans.
   */
  public static List<String> staged(List<String> replicas, List<String> inUse) {
    String slot =
        inUse.stream().anyMatch(r -> r.endsWith(STAGING + "0")) ? STAGING + "1" : STAGING + "0";
    return replicas.stream().map(r -> server(r) + slot).toList();
  }

  /** The folder prefix of staged copies (followed by 0 or 1). */
  public static final String STAGING = "/_overwrite";

  /** Whether {@code replica} names a staging folder ({@link #staged}). */
  public static boolean isStaged(String replica) {
    return replica.endsWith(STAGING + "0") || replica.endsWith(STAGING + "1");
  }

  /** The subvolume prefix of a replica's paths: {@code /svXX}, or empty without subvolumes. */
  public static String subvolume(String replica) {
    int slash = replica.indexOf('/');
    return slash < 0 ? "" : replica.substring(slash);
  }
}
