package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Uploads that do not complete leave nothing behind and keep the old file. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteFailureTest {
  @TempDir Path dir;
  VolumeServer volume;

  /**
   * The server logs a WARNING after cleaning up a failed PUT: the signal that it is done with it.
   */
  final List<String> warnings = new CopyOnWriteArrayList<>();

  final Logger handlerLog = Logger.getLogger(VolumeHandler.class.getName());
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void start() {
    handlerLog.addHandler(capture);
    volume = VolumeServer.start(dir, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    volume.close();
    handlerLog.removeHandler(capture);
  }

  void awaitWarning(String path) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (warnings.stream().noneMatch(w -> w.startsWith("PUT " + path + ":"))) {
      assertTrue(System.nanoTime() < deadline, "no warning for " + path + " in " + warnings);
      TimeUnit.MILLISECONDS.sleep(10); // polling an observable condition with a deadline
    }
  }

  long tmpFiles() throws IOException {
    try (var s = Files.list(dir.resolve(".tmp"))) {
      return s.count();
    }
  }

  void sendTruncated(String path, boolean halfClose) throws IOException {
    try (Socket s = RawHttp.connect(volume.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      if (halfClose) {
        // FIN after 10 of 1000 bytes: the server sees the body end early and can still answer
        s.shutdownOutput();
        RawHttp.Response r = RawHttp.read(s.getInputStream());
        assertEquals(500, r.status(), r.head());
      }
    }
  }

  @Test
  void truncatedUploadLeavesNoFile() throws Exception {
    sendTruncated("/t/new", false);
    awaitWarning("/t/new");
    assertFalse(Files.exists(dir.resolve("t/new")));
    assertEquals(0, tmpFiles());
  }

  @Test
  void truncatedUploadKeepsTheOldFile() throws Exception {
    assertEquals(201, RawHttp.request(volume.port(), "PUT", "/t/old").status());
    sendTruncated("/t/old", false);
    awaitWarning("/t/old");
    assertEquals("x", Files.readString(dir.resolve("t/old")));
    assertEquals(0, tmpFiles());
  }

  @Test
  void bodyShorterThanContentLengthIs500AndLeavesNoFile() throws Exception {
    sendTruncated("/t/short", true);
    // the answer comes after the clean-up
    assertFalse(Files.exists(dir.resolve("t/short")));
    assertEquals(0, tmpFiles());
  }

  @Test
  void truncatedChunkedUploadLeavesNoFile() throws Exception {
    try (Socket s = RawHttp.connect(volume.port())) {
      s.getOutputStream()
          .write(
              ("PUT /t/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "a\r\n0123456789\r\n100\r\nabc")
                  .getBytes(StandardCharsets.ISO_8859_1));
      s.shutdownOutput();
      // undertow may answer 500 or just close: either way the client knows the PUT failed
      byte[] answer = s.getInputStream().readAllBytes();
      String text = new String(answer, StandardCharsets.ISO_8859_1);
      assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 500"), text);
    }
    awaitWarning("/t/chunked");
    assertFalse(Files.exists(dir.resolve("t/chunked")));
    assertEquals(0, tmpFiles());
  }

  @Test
  void fullDiskIs507AndLeavesNoFile(@TempDir Path base) throws Exception {
    Path small = base.resolve("small");
    Files.createDirectories(small);
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString()),
        "cannot mount a small tmpfs here (needs root)");
    try (VolumeServer v = VolumeServer.start(small, "127.0.0.1", 0)) {
      Files.writeString(small.resolve("old"), "kept");
      byte[] big = new byte[2 << 20];
      String head =
          "PUT /old HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
              + big.length
              + "\r\n\r\n";
      try (Socket s = RawHttp.connect(v.port())) {
        s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        try {
          s.getOutputStream().write(big);
        } catch (IOException e) {
          // the server may answer and close before reading it all
        }
        RawHttp.Response r = RawHttp.read(s.getInputStream());
        assertEquals(507, r.status(), r.head());
      }
      assertEquals("kept", Files.readString(small.resolve("old")));
      try (var tmp = Files.list(small.resolve(".tmp"))) {
        assertEquals(0, tmp.count());
      }
      assertEquals(
          201, RawHttp.request(v.port(), "PUT", "/after").status(), "space is back after clean-up");
    } finally {
      run("umount", small.toString());
    }
  }

  static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
