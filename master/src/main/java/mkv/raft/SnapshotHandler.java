package mkv.raft;

/** Where a master serves its index to another that installs it ({@link MasterGroup}). */
public final class SnapshotHandler {
  /** The path of the index's stream on every master. */
  public static final String PATH = "/_raft/snapshot";

  private SnapshotHandler() {}
}
