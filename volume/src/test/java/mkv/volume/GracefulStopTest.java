package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A volume asked to stop finishes the upload in flight before it exits. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GracefulStopTest {
  private static final int HALF = 100_000;

  private static byte[] half(char c) {
    byte[] b = new byte[HALF];
    java.util.Arrays.fill(b, (byte) c);
    return b;
  }

  @Test
  void anUploadInFlightCompletesAcrossAStop(@TempDir Path tmp) throws Exception {
    VolumeServer volume =
        VolumeServer.start(Files.createDirectories(tmp.resolve("v")), "127.0.0.1", 0);
    Thread stopping;
    try (Socket s = new Socket("127.0.0.1", volume.port())) {
      OutputStream out = s.getOutputStream();
      // large enough to be streamed to a temp file as it comes (a small one is received whole)
      out.write(
          ("PUT /ab/cd/k HTTP/1.1\r\nHost: x\r\nContent-Length: " + 2 * HALF + "\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.write(half('h'));
      out.flush();
      Path temps = tmp.resolve("v").resolve(".tmp");
      assertTrue(
          eventually(() -> Files.isDirectory(temps) && Files.list(temps).findAny().isPresent()),
          "the upload never reached the volume");
      stopping = new Thread(volume::close);
      stopping.start();
      // the stop has begun once new requests are turned away; the upload is still in flight
      assertTrue(eventually(() -> !answers200(volume.port())), "the stop never began");
      assertTrue(stopping.isAlive(), "the stop did not wait for the upload");
      out.write(half('w'));
      out.flush();
      InputStream in = s.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.UTF_8);
      assertEquals("HTTP/1.1 201", status);
    }
    stopping.join(15_000);
    assertTrue(!stopping.isAlive(), "the stop did not end once the upload was done");
    assertEquals(
        new String(half('h')) + new String(half('w')),
        Files.readString(tmp.resolve("v").resolve("ab/cd/k")));
  }

  private static boolean answers200(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      return new String(s.getInputStream().readNBytes(12), StandardCharsets.UTF_8)
          .equals("HTTP/1.1 200");
    } catch (java.io.IOException refused) {
      return false;
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  /** Polls {@code check} for up to 10 s. */
  private static boolean eventually(Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (check.holds()) {
        return true;
      }
      Thread.sleep(10);
    }
    return check.holds();
  }
}
