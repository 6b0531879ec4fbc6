package mkv.raft;

import java.io.IOException;

/** A change of the index asked of a master that is not the leader: {@code leader} may be. */
public final class NotLeaderException extends IOException {
  private final String leader;

  /**
   * @param leader the HTTP address of the leader, or null when none is known
   */
  public NotLeaderException(String leader) {
    super(leader == null ? "no leader: an election is under way" : "the leader is " + leader);
    this.leader = leader;
  }

  /** The leader's HTTP address, or null. */
  public String leader() {
    return leader;
  }
}
