package mkv.master;

import static mkv.testing.Http.put;
import static mkv.testing.Http.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import mkv.testing.Http.Reply;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile clients: idle connections by the thousand, trickling headers and bodies, huge headers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientTest {
  @Test
  void idleAndTricklingClientsDoNotStopOthersBeingServed(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 3, 2, 1)) {
      int port = c.master().port();
      List<Socket> hostile = new ArrayList<>();
      try {
        for (int i = 0; i < 2000; i++) {
          hostile.add(new Socket("127.0.0.1", port)); // idle: never sends a byte
        }
        List<OutputStream> tricklers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          Socket s = new Socket("127.0.0.1", port);
          hostile.add(s);
          OutputStream out = s.getOutputStream();
          out.write(
              ("PUT /slow" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          tricklers.add(out);
        }
        byte[] value = "served anyway".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 20; round++) {
          for (OutputStream out : tricklers) {
            out.write('x'); // one byte of body per round: these PUTs hold a worker each
            out.flush();
          }
          String key = "/normal/" + round;
          Reply r = put(c.url(key), value);
          assertEquals(201, r.code(), r.text());
          assertArrayEquals(value, read(c.url(key)));
        }
      } finally {
        for (Socket s : hostile) {
          s.close();
        }
      }
      // None of the trickled PUTs completed, so none may be stored.
      assertTrue(noneStored(c, 50), "a trickled, unfinished PUT was stored");
    }
  }

  @Test
  void aBodyThatStopsComingIsDroppedAfterTheStallTimeout(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.volumes(tmp, 2)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .replicas(2)
              .subvolumes(1)
              .stallTimeout(Duration.ofSeconds(1))
              .build());
      long start = System.nanoTime();
      try (Socket s = new Socket("127.0.0.1", c.master().port())) {
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(
            "PUT /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten.."
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
        assertTrue(status.isEmpty() || status.contains(" 4"), "status line: " + status);
      } catch (IOException closedOnUs) {
        // dropping the connection is the answer too
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 10_000, "the stalled PUT was held " + ms + " ms; the stall timeout is 1 s");
      assertEquals(404, mkv.testing.Http.get(c.url("/stalled")).code());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"Content-Length: 100", "Content-Length: 1048576", "Transfer-Encoding: chunked"})
  void aBodyThatNeverStartsIsA4xx(String framing, @TempDir Path tmp) throws Exception {
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            logged.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger failures = Logger.getLogger(Failures.class.getName());
    failures.addHandler(capture);
    try (TestCluster c = TestCluster.volumes(tmp, 2)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .replicas(2)
              .subvolumes(1)
              .stallTimeout(Duration.ofSeconds(1))
              .build());
      try (Socket s = new Socket("127.0.0.1", c.master().port())) {
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("PUT /never HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
        assertTrue(
            status.startsWith("HTTP/1.1 4"),
            "a client that sends no byte of its body gets a 4xx: " + status);
      }
      assertEquals(404, mkv.testing.Http.get(c.url("/never")).code());
    } finally {
      failures.removeHandler(capture);
    }
    List<LogRecord> lines = logged.stream().filter(r -> r.getMessage().contains("/never")).toList();
    assertEquals(1, lines.size(), "one log line for the stalled body");
    assertEquals(Level.INFO, lines.get(0).getLevel());
    assertEquals(null, lines.get(0).getThrown(), "no stack trace for a client's stalled body");
  }

  @Test
  void hugeHeadersAreRefusedAndNothingIsStored(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 1, 1, 1)) {
      try (Socket s = new Socket("127.0.0.1", c.master().port())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("PUT /huge HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "a".repeat(200_000)
                    + "\r\nContent-Length: 1\r\n\r\nv")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
        assertTrue(status.isEmpty() || status.contains(" 4"), "status line: " + status);
      } catch (IOException closedOnUs) {
        // refusing by closing the connection is fine too
      }
      assertEquals(404, mkv.testing.Http.get(c.url("/huge")).code());
    }
  }

  private static boolean noneStored(TestCluster c, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      if (mkv.testing.Http.get(c.url("/slow" + i)).code() != 404) {
        return false;
      }
    }
    return true;
  }
}
