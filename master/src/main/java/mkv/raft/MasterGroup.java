package mkv.raft;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;
import mkv.index.Index;
import mkv.index.IndexCommand;
import mkv.sync.SyncMode;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * This master's place in the group of masters: a Ratis server whose state machine is the index
 * ({@link IndexStateMachine}). Changes of the index are submitted here and acknowledged once a
 * majority has them in its log and this master has applied them; reads pass a barrier first ({@link
 * #barrier}), so that any master answers what the leader would. A group of one is the same, with no
 * one else to wait for.
 */
public final class MasterGroup implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MasterGroup.class.getName());

  /**
   * Ratis says a great deal at INFO (every vote, every setting read): its warnings are what a user
   * needs, unless the logging was configured otherwise. Held: java.util.logging keeps loggers only
   * weakly.
   */
  private static final Logger RATIS = Logger.getLogger("org.apache.ratis");

  static {
    if (RATIS.getLevel() == null) {
      RATIS.setLevel(java.util.logging.Level.WARNING);
    }
  }

  /** The one group every master belongs to. */
  static final RaftGroupId GROUP =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("mkv masters".getBytes(StandardCharsets.UTF_8)));

  private final GroupConfig config;
  private final Index index;
  private final RaftServer server;
  private final RaftServer.Division division;
  private final IndexStateMachine machine;
  private final ClientId client = ClientId.randomId();
  private final AtomicLong calls = new AtomicLong();
  private final ReadBarrier barrier;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private MasterGroup(GroupConfig config, Index index, Consumer<Boolean> leadership)
      throws IOException {
    this.config = config;
    this.index = index;
    RaftPeerId self = RaftPeerId.valueOf(config.self().id());
    this.machine =
        new IndexStateMachine(
            index,
            this::snapshotOf,
            leader -> {
              if (leader == null || !leader.equals(self)) {
                leadership.accept(false);
              }
            },
            () -> leadership.accept(true));
    // A joining master starts with no configuration: the leader's adds it, then sends it the index.
    RaftGroup group =
        config.join()
            ? RaftGroup.valueOf(GROUP)
            : RaftGroup.valueOf(GROUP, config.peers().stream().map(MasterGroup::raftPeer).toList());
    Files.createDirectories(config.dir());
    boolean exists = Files.isDirectory(config.dir().resolve(GROUP.getUuid().toString()));
    this.server =
        RaftServer.newBuilder()
            .setServerId(self)
            .setGroup(group)
            .setStateMachine(machine)
            .setProperties(properties(config))
            .setOption(
                exists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
            .build();
    server.start();
    this.division = server.getDivision(GROUP);
    this.barrier = new ReadBarrier(this::readIndex);
  }

  /**
   * Starts this master's Raft server, its state machine the open {@code index}.
   *
   * @param leadership told true when this master becomes leader (and has applied its whole log),
   *     false when it stops being leader; on a Ratis thread, promptly
   */
  public static MasterGroup start(GroupConfig config, Index index, Consumer<Boolean> leadership)
      throws IOException {
    return new MasterGroup(config, index, leadership);
  }

  private static RaftPeer raftPeer(Peer p) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(p.id()))
        .setAddress(p.raftAddress())
        .build();
  }

  private static RaftProperties properties(GroupConfig c) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(c.dir().toFile()));
    GrpcConfigKeys.Server.setHost(p, c.self().raftHost());
    GrpcConfigKeys.Server.setPort(p, c.self().raftPort());
    long election = c.electionTimeout().toMillis();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(election, ms()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * election, ms()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3 * election, ms()));
    // a master being added catches up first (installing the whole index, minutes at 10^8 keys)
    RaftServerConfigKeys.setStagingTimeout(
        p, TimeDuration.valueOf(10, java.util.concurrent.TimeUnit.MINUTES));
    if (c.single()) {
      // alone, it need not wait to hear from a leader that cannot exist: it leads at once
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(10, ms()));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(30, ms()));
    }
    // reads: a read index from the leader; the leader answers it from its lease, no round trip
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Read.setTimeout(p, TimeDuration.valueOf(3 * election, ms()));
    // ALWAYS: a commit waits for the log's fsync on a majority; otherwise it is flushed after
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, c.sync() != SyncMode.ALWAYS);
    // segments of about a snapshot's worth of entries (a few hundred bytes each), so that the log
    // is purged up to each snapshot: only closed segments are
    long segment = Math.max(16 << 10, Math.min(32L << 20, c.snapshotEvery() * 256));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(segment));
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, c.snapshotEvery()));
    // a follower too far behind is told to install a snapshot, which it fetches by HTTP
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, c.snapshotEvery());
    return p;
  }

  private static java.util.concurrent.TimeUnit ms() {
    return java.util.concurrent.TimeUnit.MILLISECONDS;
  }

  /**
   * Submits a change of the index; completes once it is committed and applied here, with what
   * applying it did.
   *
   * @return a future failed with {@link NotLeaderException} when this master is not the leader (or
   *     not ready yet), with an IOException when the group could not commit it
   */
  public CompletableFuture<Index.Outcome> submit(IndexCommand command) {
    RaftClientRequest request =
        request(
            Message.valueOf(
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                    command.encode())),
            RaftClientRequest.writeRequestType());
    try {
      return server
          .submitClientRequestAsync(request)
          .thenApply(
              reply -> {
                failure(reply);
                return IndexStateMachine.decode(reply.getMessage().getContent());
              });
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Completes once this master's index holds every change committed before the call (a linearizable
   * read: the leader's commit index, asked once for all the reads waiting). At once in a group of
   * one.
   */
  public CompletableFuture<Void> barrier() {
    if (config.single() && division.getRaftConf().getCurrentPeers().size() == 1) {
      return ReadBarrier.PASSED;
    }
    return barrier.await();
  }

  private CompletableFuture<Void> readIndex() {
    // a master just started (or in an election) may not know the leader for a few seconds
    long patience = Math.max(3_000_000_000L, 4 * config.electionTimeout().toNanos());
    return readIndex(System.nanoTime() + patience);
  }

  /**
   * One read-index round; while no leader is known (an election, or this master just started),
   * tried again until {@code deadline} (nanoTime), then failed with {@link NotLeaderException}.
   */
  private CompletableFuture<Void> readIndex(long deadline) {
    CompletableFuture<Void> round;
    try {
      round =
          server
              .submitClientRequestAsync(request(Message.EMPTY, RaftClientRequest.readRequestType()))
              .thenAccept(MasterGroup::failure);
    } catch (IOException e) {
      round = CompletableFuture.failedFuture(e);
    }
    return round
        .handle(
            (ok, e) -> {
              Throwable cause = e instanceof CompletionException c ? c.getCause() : e;
              if (cause instanceof NotLeaderException && System.nanoTime() < deadline) {
                return CompletableFuture.runAsync(
                        () -> {},
                        CompletableFuture.delayedExecutor(
                            50, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .thenCompose(x -> readIndex(deadline));
              }
              return e == null
                  ? CompletableFuture.<Void>completedFuture(null)
                  : CompletableFuture.<Void>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  private RaftClientRequest request(Message message, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(client)
        .setServerId(division.getId())
        .setGroupId(GROUP)
        .setCallId(calls.incrementAndGet())
        .setMessage(message)
        .setType(type)
        .build();
  }

  /** Throws what went wrong with a reply, as our exceptions. */
  private static void failure(RaftClientReply reply) {
    if (reply.isSuccess()) {
      return;
    }
    if (reply.getNotLeaderException() != null) {
      RaftPeer suggested = reply.getNotLeaderException().getSuggestedLeader();
      throw new CompletionException(
          new NotLeaderException(
              suggested == null ? null : Peer.addressOf(suggested.getId().toString())));
    }
    if (reply.getLeaderNotReadyException() != null
        || reply.getLeaderSteppingDownException() != null
        || reply.getException()
            instanceof org.apache.ratis.protocol.exceptions.ReadIndexException) {
      throw new CompletionException(new NotLeaderException(null));
    }
    throw new CompletionException(
        new IOException(
            "the masters did not commit it: "
                + (reply.getException() == null ? "no reason given" : reply.getException())));
  }

  /** Whether this master is the leader and has applied its log: it may take writes. */
  public boolean isLeader() {
    return division.getInfo().isLeaderReady();
  }

  /** The HTTP address of the leader, or null when none is known. */
  public String leader() {
    RaftPeerId id = division.getInfo().getLeaderId();
    return id == null ? null : Peer.addressOf(id.toString());
  }

  public long term() {
    return division.getInfo().getCurrentTerm();
  }

  /** The masters of the group's current configuration, by HTTP address. */
  public List<String> members() {
    List<String> out = new ArrayList<>();
    division
        .getRaftConf()
        .getCurrentPeers()
        .forEach(p -> out.add(Peer.addressOf(p.getId().toString())));
    return out;
  }

  /**
   * Adds {@code peer} to the group (started with {@code join}); completes once the group's new
   * configuration is committed, the new master having caught up.
   */
  public CompletableFuture<Void> add(Peer peer) {
    List<RaftPeer> next = new ArrayList<>(division.getRaftConf().getCurrentPeers());
    if (next.stream().anyMatch(p -> p.getId().toString().equals(peer.id()))) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(peer.address() + " is already a master of the group"));
    }
    next.add(raftPeer(peer));
    return configure(next);
  }

  /** Removes the master at {@code address} from the group. */
  public CompletableFuture<Void> remove(String address) {
    List<RaftPeer> next = new ArrayList<>(division.getRaftConf().getCurrentPeers());
    String id = address.replace(':', '_');
    if (!next.removeIf(p -> p.getId().toString().equals(id))) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(address + " is not a master of the group"));
    }
    if (next.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("the last master of a group cannot be removed"));
    }
    return configure(next);
  }

  private CompletableFuture<Void> configure(List<RaftPeer> peers) {
    try {
      return server
          .setConfigurationAsync(
              new org.apache.ratis.protocol.SetConfigurationRequest(
                  client, division.getId(), GROUP, calls.incrementAndGet(), peers))
          .thenAccept(MasterGroup::failure);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Hands leadership to the master at {@code address}; completes once it leads. */
  public CompletableFuture<Void> transfer(String address) {
    try {
      return server
          .transferLeadershipAsync(
              new org.apache.ratis.protocol.TransferLeadershipRequest(
                  client,
                  division.getId(),
                  GROUP,
                  calls.incrementAndGet(),
                  RaftPeerId.valueOf(address.replace(':', '_')),
                  4 * config.electionTimeout().toMillis()))
          .thenAccept(MasterGroup::failure);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Whether a snapshot is being installed here: the index is incomplete until it is done. */
  public boolean installing() {
    return machine.installing();
  }

  /** This master's role: leader, follower, candidate or listener. */
  public String role() {
    RaftPeerRole r = division.getInfo().getCurrentRole();
    return r.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The index of the last entry committed, as this master knows it. */
  public long commitIndex() {
    return division.getRaftLog().getLastCommittedIndex();
  }

  /** The index of the last entry in this master's log. */
  public long lastLogIndex() {
    return division.getRaftLog().getLastEntryTermIndex() == null
        ? 0
        : division.getRaftLog().getLastEntryTermIndex().getIndex();
  }

  /** The index of the first entry still in this master's log (older ones were purged). */
  public long firstLogIndex() {
    return division.getRaftLog().getStartIndex();
  }

  /** The stream of {@code leader}'s index, for a snapshot install. */
  private InputStream snapshotOf(RaftPeerId leader) {
    URI uri = URI.create("http://" + Peer.addressOf(leader.toString()) + SnapshotHandler.PATH);
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        throw new IOException(uri + ": " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.UncheckedIOException(new java.io.InterruptedIOException(uri.toString()));
    }
  }

  /** The index this group's state machine applies to. */
  public Index index() {
    return index;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
