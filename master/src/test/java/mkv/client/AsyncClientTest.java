package mkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mkv.layout.KeyPath;
import mkv.testing.FakeServer;
import mkv.volume.VolumeServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The non-blocking client against a real volume server, and against servers that misbehave on
 * purpose.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AsyncClientTest {
  @TempDir static Path dir;
  static VolumeServer volume;
  static XnioWorker worker;
  static XnioIoThread io;
  static final AsyncClient CLIENT = new AsyncClient(Duration.ofSeconds(1), Duration.ofSeconds(2));

  @BeforeAll
  static void start() throws IOException {
    volume = VolumeServer.start(dir.resolve("v"), "127.0.0.1", 0);
    worker = Xnio.getInstance().createWorker(OptionMap.EMPTY);
    io = worker.getIoThread();
  }

  @AfterAll
  static void stop() {
    volume.close();
    worker.shutdownNow();
  }

  private static VolumeException await(Consumer<AsyncClient.Callback> call) throws Exception {
    CompletableFuture<VolumeException> result = new CompletableFuture<>();
    call.accept(
        failure -> {
          assertTrue(Thread.currentThread() == io, "callbacks run on the IO thread that asked");
          result.complete(failure);
        });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void putThenDeleteOnOurVolumeReusesTheConnection() throws Exception {
    String path = KeyPath.of("/async/" + System.nanoTime());
    byte[] value = "hello, volume".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 3; i++) {
      String p = path + i;
      assertNull(await(cb -> CLIENT.put(io, volume.address(), p, value, cb)));
      assertArrayEquals(value, Files.readAllBytes(volume.dir().resolve(p.substring(1))));
      assertNull(await(cb -> CLIENT.delete(io, volume.address(), p, cb)));
      assertFalse(Files.exists(volume.dir().resolve(p.substring(1))));
    }
    assertNull(
        await(cb -> CLIENT.delete(io, volume.address(), path + "-never-written", cb)),
        "404 counts as deleted");
  }

  @Test
  void subvolumeOfTheReplicaPrefixesThePath() throws Exception {
    String path = KeyPath.of("/async/sv");
    assertNull(
        await(cb -> CLIENT.put(io, volume.address() + "/sv07", path, new byte[] {1, 2, 3}, cb)));
    assertTrue(Files.exists(volume.dir().resolve("sv07" + path)));
  }

  @Test
  void errorStatusNamesTheReplicaAndCarriesTheBodysFirstLine() throws Exception {
    VolumeException e =
        await(cb -> CLIENT.put(io, volume.address(), "/a-dir/", new byte[] {1}, cb));
    assertNotNull(e);
    assertEquals(400, e.status());
    assertTrue(
        e.getMessage().startsWith("replica " + volume.address() + ": 400 on PUT"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot PUT a directory"), e.getMessage());
  }

  @Test
  void refusedConnectionIsAFailureWithoutStatus() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    int p = port;
    VolumeException e = await(cb -> CLIENT.put(io, "127.0.0.1:" + p, "/x", new byte[] {1}, cb));
    assertEquals(0, e.status());
    assertFalse(e.timedOut());
  }

  @Test
  void silentServerTimesOut() throws Exception {
    try (FakeServer fake = new FakeServer(in -> null)) {
      long start = System.nanoTime();
      VolumeException e = await(cb -> CLIENT.put(io, fake.address(), "/x", new byte[] {1}, cb));
      assertTrue(e.timedOut(), e.getMessage());
      assertTrue(
          System.nanoTime() - start
              >= TimeUnit.SECONDS.toNanos(2) - TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  @Test
  void chunkedAndCloseDelimitedAnswersAreRead() throws Exception {
    String chunked =
        "HTTP/1.1 507 Insufficient Storage\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\ndisk \r\n5;x=y\r\nfull\n\r\n0\r\nTrailer: t\r\n\r\n";
    try (FakeServer fake = new FakeServer(in -> chunked)) {
      VolumeException e = await(cb -> CLIENT.put(io, fake.address(), "/x", new byte[] {1}, cb));
      assertTrue(e.diskFull());
      assertTrue(e.getMessage().endsWith("507 on PUT (disk full)"), e.getMessage());
      // the same connection serves the next call: the chunked body was read to its end
      assertNotNull(await(cb -> CLIENT.put(io, fake.address(), "/y", new byte[] {1}, cb)));
      assertEquals(1, fake.connections.get());
    }
    try (FakeServer fake = new FakeServer(in -> "HTTP/1.0 201 Created\r\n\r\nok")) {
      assertNull(await(cb -> CLIENT.put(io, fake.address(), "/x", new byte[] {1}, cb)));
      assertNull(await(cb -> CLIENT.put(io, fake.address(), "/y", new byte[] {1}, cb)));
      assertEquals(
          2,
          fake.connections.get(),
          "a body up to the close cannot be followed on that connection");
    }
  }

  @Test
  void sendCarriesHeadersBothWaysAndAnyStatusIsAReply() throws Exception {
    String[] seen = new String[1];
    try (FakeServer fake =
        new FakeServer(
            request -> {
              seen[0] = request;
              return "HTTP/1.1 302 Found\r\nLocation: http://v/x\r\nKey-Volumes: a,b\r\n"
                  + "Content-Length: 12\r\n\r\nnot here\nyet";
            })) {
      CompletableFuture<AsyncClient.Reply> reply = new CompletableFuture<>();
      CLIENT.send(
          io,
          fake.address(),
          "GET",
          "/k%20ey",
          java.util.Map.of("Mkv-Detail", "1"),
          null,
          (r, failure) -> {
            assertNull(failure);
            reply.complete(r);
          });
      AsyncClient.Reply r = reply.get(10, TimeUnit.SECONDS);
      assertTrue(seen[0].startsWith("GET /k%20ey HTTP/1.1\r\n"), seen[0]);
      assertTrue(seen[0].contains("\r\nMkv-Detail: 1\r\n"), seen[0]);
      assertEquals(302, r.status());
      assertEquals("http://v/x", r.header("location"));
      assertEquals("a,b", r.header("key-volumes"));
      assertEquals("not here", r.text());
    }
  }

  @Test
  void sendFailureNamesTheServerNotAReplica() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CompletableFuture<IOException> failed = new CompletableFuture<>();
    CLIENT.send(
        io,
        "127.0.0.1:" + port,
        "GET",
        "/x",
        java.util.Map.of(),
        null,
        (r, failure) -> failed.complete(failure));
    IOException e = failed.get(10, TimeUnit.SECONDS);
    assertFalse(e instanceof VolumeException);
    assertTrue(e.getMessage().startsWith("127.0.0.1:" + port + ": GET failed"), e.getMessage());
  }

  @Test
  void idleConnectionClosedByTheServerIsNotUsedAgain() throws Exception {
    try (FakeServer fake =
        new FakeServer(in -> "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", true)) {
      for (int i = 0; i < 3; i++) {
        assertNull(await(cb -> CLIENT.put(io, fake.address(), "/x", new byte[] {1}, cb)));
      }
      assertEquals(3, fake.connections.get());
    }
  }

  @Test
  void putAllReportsEachFailedReplicaOnce() throws Exception {
    CompletableFuture<List<VolumeException>> done = new CompletableFuture<>();
    List<String> replicas = List.of(volume.address(), "127.0.0.1:1", volume.address() + "/sv01");
    io.execute(() -> CLIENT.putAll(io, replicas, "/all", new byte[] {7}, done::complete));
    List<VolumeException> failures = done.get(10, TimeUnit.SECONDS);
    assertEquals(1, failures.size());
    assertEquals("127.0.0.1:1", failures.get(0).volume());
    assertTrue(Files.exists(volume.dir().resolve("all")));
    assertTrue(Files.exists(volume.dir().resolve("sv01/all")));
  }

  @Test
  void malformedAnswerIsAFailureNamingTheReplica() throws Exception {
    try (FakeServer fake =
        new FakeServer(in -> "HTTP/1.1 201 Created\r\nContent-Length: 12x\r\n\r\n")) {
      VolumeException e = await(cb -> CLIENT.put(io, fake.address(), "/x", new byte[] {1}, cb));
      assertEquals(0, e.status());
      assertFalse(e.timedOut());
      assertTrue(
          e.getMessage().startsWith("replica " + fake.address() + ": PUT failed: "),
          e.getMessage());
      assertTrue(e.getMessage().contains("bad Content-Length '12x'"), e.getMessage());
    }
  }
}
