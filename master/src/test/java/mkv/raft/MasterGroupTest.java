package mkv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import mkv.index.Index;
import mkv.index.IndexCommand;
import mkv.index.IndexSnapshot;
import mkv.index.Record;
import mkv.sync.SyncMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three masters' Raft groups in one JVM, each over its own index, each with a small HTTP server for
 * the snapshot stream: what the leader commits every index holds, in the same version; a follower
 * refuses writes naming the leader; a read barrier on a follower sees an acknowledged write; a new
 * leader takes over; a wiped follower installs the leader's index.
 */
@Tag("slow") // three Raft groups per test: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MasterGroupTest {
  @TempDir Path tmp;

  private final List<Node> nodes = new ArrayList<>();

  /** One master: its index, its group, its snapshot server. */
  private static final class Node {
    final Peer peer;
    final Path dir;
    final HttpServer http;
    Index index;
    MasterGroup group;

    Node(Peer peer, Path dir, HttpServer http) {
      this.peer = peer;
      this.dir = dir;
      this.http = http;
    }

    void start(List<Peer> peers) throws IOException {
      start(peers, false);
    }

    void start(List<Peer> peers, boolean join) throws IOException {
      index = Index.open(dir.resolve("index"));
      group =
          MasterGroup.start(
              new GroupConfig(
                  peers,
                  peer,
                  dir.resolve("index").resolve("raft"),
                  Duration.ofMillis(500),
                  SyncMode.ALWAYS,
                  50,
                  join),
              index,
              leader -> {});
    }

    void stop() throws IOException {
      if (group != null) {
        group.close();
        index.close();
        group = null;
      }
    }
  }

  @AfterEach
  void stopAll() throws IOException {
    for (Node n : nodes) {
      n.stop();
      n.http.stop(0);
    }
  }

  private Node node(int i) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Peer peer = new Peer("127.0.0.1:" + http.getAddress().getPort(), "127.0.0.1", freePort());
    Node node = new Node(peer, Files.createDirectories(tmp.resolve("m" + i)), http);
    http.createContext(
        SnapshotHandler.PATH,
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            IndexSnapshot.write(node.index, out);
          }
        });
    http.start();
    nodes.add(node);
    return node;
  }

  @Test
  void anIndexFromBeforeTheGroupBecomesTheGroupsAsMastersAreAdded() throws Exception {
    Node a = node(0);
    // records written by a single master of an earlier build (or minikeyvalue): in no log
    try (Index old = Index.open(a.dir.resolve("index"))) {
      for (int i = 0; i < 20; i++) {
        old.put("/old" + i, LIVE, true);
      }
    }
    a.start(List.of(a.peer)); // alone first: a group of one
    assertTrue(eventually(() -> a.group.isLeader()));
    assertTrue(a.group.submit(IndexCommand.of("/new", IndexCommand.ABSENT, LIVE)).get().applied());
    Node b = node(1);
    Node c = node(2);
    b.start(List.of(a.peer, b.peer), true);
    c.start(List.of(a.peer, b.peer, c.peer), true);
    a.group.add(b.peer).get(60, TimeUnit.SECONDS);
    a.group.add(c.peer).get(60, TimeUnit.SECONDS);
    assertEquals(3, a.group.members().size());
    for (Node n : List.of(b, c)) {
      n.group.barrier().get(10, TimeUnit.SECONDS);
      assertNotNull(n.index.get("/old7"), "the records from before the group were installed");
      assertNotNull(n.index.get("/new"));
    }
    a.group.transfer(b.peer.address()).get(30, TimeUnit.SECONDS);
    assertTrue(eventually(() -> b.group.isLeader()));
    b.group.remove(a.peer.address()).get(30, TimeUnit.SECONDS);
    assertEquals(
        java.util.Set.of(b.peer.address(), c.peer.address()),
        java.util.Set.copyOf(b.group.members()));
    assertTrue(
        b.group.submit(IndexCommand.of("/after", IndexCommand.ABSENT, LIVE)).get().applied());
    c.group.barrier().get(10, TimeUnit.SECONDS);
    assertNotNull(c.index.get("/after"));
  }

  private List<Peer> startGroup(int n) throws IOException {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      Peer peer = new Peer("127.0.0.1:" + http.getAddress().getPort(), "127.0.0.1", freePort());
      Node node = new Node(peer, Files.createDirectories(tmp.resolve("m" + i)), http);
      http.createContext(
          SnapshotHandler.PATH,
          exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
              IndexSnapshot.write(node.index, out);
            }
          });
      http.start();
      nodes.add(node);
      peers.add(peer);
    }
    for (Node node : nodes) {
      node.start(peers);
    }
    return peers;
  }

  private Node leader() {
    assertTrue(
        eventually(() -> nodes.stream().anyMatch(n -> n.group != null && n.group.isLeader())));
    return nodes.stream().filter(n -> n.group != null && n.group.isLeader()).findFirst().get();
  }

  private static final Record LIVE = Record.live(List.of("v:1")).withSize(1);

  @Test
  void whatTheLeaderCommitsEveryIndexHoldsAtTheSameVersion() throws Exception {
    startGroup(3);
    Node leader = leader();
    Index.Outcome put = leader.group.submit(IndexCommand.of("/k", IndexCommand.ABSENT, LIVE)).get();
    assertTrue(put.applied());
    assertEquals(put.index(), leader.index.get("/k").version());
    for (Node n : nodes) {
      // a barrier on any master makes it hold every acknowledged write
      n.group.barrier().get(10, TimeUnit.SECONDS);
      assertEquals(put.index(), n.index.get("/k").version(), n.peer.address());
    }
    Index.Outcome stale =
        leader.group.submit(IndexCommand.of("/k", IndexCommand.ABSENT, LIVE)).get();
    assertEquals("/k", stale.conflict());

    Node follower = nodes.stream().filter(n -> n != leader).findFirst().get();
    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () -> follower.group.submit(IndexCommand.of("/j", IndexCommand.ABSENT, LIVE)).get());
    NotLeaderException e = assertInstanceOf(NotLeaderException.class, refused.getCause());
    assertEquals(leader.peer.address(), e.leader());
  }

  @Test
  void anotherMasterLeadsWhenTheLeaderStops() throws Exception {
    startGroup(3);
    Node first = leader();
    assertTrue(
        first.group.submit(IndexCommand.of("/a", IndexCommand.ABSENT, LIVE)).get().applied());
    first.stop();
    Node second = leader();
    assertTrue(second != first);
    assertNotNull(second.index.get("/a"), "the new leader has every committed change");
    assertTrue(
        second.group.submit(IndexCommand.of("/b", IndexCommand.ABSENT, LIVE)).get().applied());
    first.start(nodes.stream().map(n -> n.peer).toList());
    first.group.barrier().get(10, TimeUnit.SECONDS);
    assertNotNull(first.index.get("/b"), "the old leader, back, follows");
  }

  @Test
  void aWipedFollowerInstallsTheLeadersIndex() throws Exception {
    List<Peer> peers = startGroup(3);
    Node leader = leader();
    Node wiped = nodes.stream().filter(n -> n != leader).findFirst().get();
    wiped.stop();
    List<java.util.concurrent.CompletableFuture<Index.Outcome>> writes = new ArrayList<>();
    for (int i = 0; i < 600; i++) { // past several snapshots (every 50): the log is purged
      writes.add(leader.group.submit(IndexCommand.of("/k" + i, IndexCommand.ABSENT, LIVE)));
    }
    for (var w : writes) {
      assertTrue(w.get().applied());
    }
    assertTrue(eventually(() -> leader.group.firstLogIndex() > 1), "the leader's log was purged");
    deleteTree(wiped.dir.resolve("index"));
    wiped.start(peers);
    assertTrue(eventually(() -> wiped.index.get("/k599") != null), "the index was not installed");
    wiped.group.barrier().get(10, TimeUnit.SECONDS);
    assertEquals(600, wiped.index.counts().get(Record.State.LIVE));
    assertNull(wiped.index.get("/k600"));
    assertEquals(leader.index.get("/k7"), wiped.index.get("/k7"));
  }

  private static boolean eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
