package mkv.raft;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.IndexCommand;
import mkv.index.IndexSnapshot;
import mkv.index.LogPosition;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The masters' Raft state machine: the LevelDB index. Each committed {@link IndexCommand} is
 * applied in log order, on every master, as one batch that also stores its log position ({@link
 * Index#apply}); so the index needs no sync of its own (the log is the write-ahead log) and a log
 * replayed after a crash skips what was applied.
 *
 * <p>A snapshot is the index itself, as Apache Ozone's Ozone Manager does it with RocksDB: taking
 * one flushes LevelDB and lets Ratis purge the log up to the position it holds. A master too far
 * behind for the log is told to install a snapshot: it streams the leader's index over HTTP ({@link
 * IndexSnapshot}) rather than through Ratis's file transfer.
 */
final class IndexStateMachine extends BaseStateMachine {
  private static final Logger LOG = Logger.getLogger(IndexStateMachine.class.getName());

  private final Index index;
  private final Function<RaftPeerId, InputStream> snapshotFrom;
  private final Consumer<RaftPeerId> leaderChanged;
  private final Runnable leaderReady;
  private volatile TermIndex snapshot;
  private volatile boolean installing;

  /**
   * @param snapshotFrom opens the stream of the index of the given master (the leader)
   * @param leaderChanged told of each change of leader (null: none known), on a Ratis thread
   * @param leaderReady told when this master is leader and has applied all its log
   */
  IndexStateMachine(
      Index index,
      Function<RaftPeerId, InputStream> snapshotFrom,
      Consumer<RaftPeerId> leaderChanged,
      Runnable leaderReady) {
    this.index = index;
    this.snapshotFrom = snapshotFrom;
    this.leaderChanged = leaderChanged;
    this.leaderReady = leaderReady;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId group, RaftStorage storage)
      throws IOException {
    getLifeCycle()
        .startAndTransition(
            () -> {
              super.initialize(server, group, storage);
              load();
            },
            IOException.class);
  }

  /** Where the log replays from: what LevelDB holds, flushed, so that Ratis may purge below it. */
  private void load() throws IOException {
    index.flush();
    LogPosition at = index.applied();
    snapshot = TermIndex.valueOf(at.term(), at.index());
    setLastAppliedTermIndex(snapshot);
  }

  /** Ratis pauses the state machine after a snapshot was installed, then reinitializes it. */
  @Override
  public synchronized void pause() {
    getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSING);
    getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSED);
  }

  @Override
  public synchronized void reinitialize() throws IOException {
    load();
    if (getLifeCycleState() == org.apache.ratis.util.LifeCycle.State.PAUSED) {
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.STARTING);
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.RUNNING);
    }
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    IndexCommand command =
        IndexCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
    Index.Outcome outcome = index.apply(command, entry.getTerm(), entry.getIndex());
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(Message.valueOf(encode(outcome)));
  }

  /** Reads are answered from the index directly once a barrier passes: the query only marks it. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  @Override
  public long takeSnapshot() throws IOException {
    // the position LevelDB holds, not Ratis's (which counts configuration entries past it)
    LogPosition at = index.applied();
    index.flush();
    snapshot = TermIndex.valueOf(at.term(), at.index());
    return at.index();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** Only the position: the files are LevelDB's own, and a follower streams them by HTTP. */
  private final StateMachineStorage storage =
      new StateMachineStorage() {
        @Override
        public void init(RaftStorage raftStorage) {}

        @Override
        public SnapshotInfo getLatestSnapshot() {
          TermIndex at = snapshot;
          return at == null || at.getIndex() <= 0
              ? null
              : new SnapshotInfo() {
                @Override
                public TermIndex getTermIndex() {
                  return at;
                }

                @Override
                public List<FileInfo> getFiles() {
                  return List.of();
                }
              };
        }

        @Override
        public void format() {}

        @Override
        public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {}
      };

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
    leaderChanged.accept(newLeader);
  }

  @Override
  public void notifyLeaderReady() {
    leaderReady.run();
  }

  /** Whether a snapshot is being installed: the index is then incomplete. */
  boolean installing() {
    return installing;
  }

  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      RoleInfoProto role, TermIndex firstInLog) {
    RaftPeerId leader = RaftPeerId.valueOf(role.getFollowerInfo().getLeaderInfo().getId().getId());
    return CompletableFuture.supplyAsync(
        () -> {
          installing = true;
          long start = System.nanoTime();
          try (InputStream in = snapshotFrom.apply(leader)) {
            LogPosition at = IndexSnapshot.load(index, in);
            TermIndex installed = TermIndex.valueOf(at.term(), at.index());
            snapshot = installed;
            setLastAppliedTermIndex(installed);
            LOG.info(
                "installed the index of "
                    + leader
                    + " at log index "
                    + at.index()
                    + " in "
                    + (System.nanoTime() - start) / 1_000_000
                    + " ms (its log starts at "
                    + firstInLog.getIndex()
                    + ")");
            return installed;
          } catch (IOException e) {
            LOG.warning("installing the index of " + leader + " failed (retried): " + e);
            throw new java.io.UncheckedIOException(e);
          } finally {
            installing = false;
          }
        });
  }

  /** The outcome of a command as the state machine answers it. */
  static ByteString encode(Index.Outcome o) {
    byte[] conflict = o.conflict() == null ? new byte[0] : Index.keyBytes(o.conflict());
    ByteBuffer b = ByteBuffer.allocate(8 + 8 + 1 + conflict.length);
    b.putLong(o.index()).putLong(o.actual()).put((byte) (o.conflict() == null ? 0 : 1));
    b.put(conflict);
    return ByteString.copyFrom(b.array());
  }

  static Index.Outcome decode(ByteString bytes) {
    ByteBuffer b = bytes.asReadOnlyByteBuffer();
    long at = b.getLong();
    long actual = b.getLong();
    boolean conflict = b.get() != 0;
    byte[] key = new byte[b.remaining()];
    b.get(key);
    return new Index.Outcome(
        at, conflict ? new String(key, java.nio.charset.StandardCharsets.UTF_8) : null, actual);
  }
}
