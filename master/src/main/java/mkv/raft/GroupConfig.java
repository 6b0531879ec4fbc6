package mkv.raft;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.sync.SyncMode;

/**
 * How this master joins its group.
 *
 * @param peers every master of the group at its first start (later, the group's own configuration,
 *     changed by {@code ./mkv masters add|remove}, wins)
 * @param self this master, one of {@code peers}
 * @param dir where the Raft log lives (beside the index)
 * @param electionTimeout the shortest time without a leader before a follower stands for election
 *     (the longest is twice this); a leader's lease is 0.9 of it
 * @param sync whether a commit waits for the log's fsync (ALWAYS) or not (BATCH, NONE: flushed in
 *     the background)
 * @param snapshotEvery log entries between snapshots (each flushes LevelDB and purges the log)
 * @param join start as a new member of a running group: with no configuration of its own, this
 *     master waits until the leader adds it ({@code ./mkv masters add}), then installs its index
 */
public record GroupConfig(
    List<Peer> peers,
    Peer self,
    Path dir,
    Duration electionTimeout,
    SyncMode sync,
    long snapshotEvery,
    boolean join) {

  /**
   * The election timeout unless given: seconds, since a 2-core JVM can pause for hundreds of ms.
   */
  public static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(1);

  public static final long SNAPSHOT_EVERY = 100_000;

  public GroupConfig {
    peers = List.copyOf(peers);
    if (!peers.contains(self)) {
      throw new IllegalArgumentException(
          "this master (" + self.address() + ") is not among --masters " + peers);
    }
  }

  /** A group of one: this master alone, its Raft endpoint on loopback, on any free port. */
  public static GroupConfig alone(String address, Path dir, SyncMode sync) {
    Peer self = new Peer(address, "127.0.0.1", 0);
    return new GroupConfig(List.of(self), self, dir, ELECTION_TIMEOUT, sync, SNAPSHOT_EVERY, false);
  }

  public boolean single() {
    return peers.size() == 1;
  }
}
