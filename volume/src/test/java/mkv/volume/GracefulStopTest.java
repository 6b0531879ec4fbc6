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
  @Test
  void anUploadInFlightCompletesAcrossAStop(@TempDir Path tmp) throws Exception {
    VolumeServer volume =
        VolumeServer.start(Files.createDirectories(tmp.resolve("v")), "127.0.0.1", 0);
    Thread stopping;
    try (Socket s = new Socket("127.0.0.1", volume.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("PUT /ab/cd/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      Thread.sleep(200); // the upload is under way
      stopping = new Thread(volume::close);
      stopping.start();
      Thread.sleep(300);
      assertTrue(stopping.isAlive(), "the stop did not wait for the upload");
      out.write("world".getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.UTF_8);
      assertEquals("HTTP/1.1 201", status);
    }
    stopping.join(15_000);
    assertTrue(!stopping.isAlive(), "the stop did not end once the upload was done");
    assertEquals("helloworld", Files.readString(tmp.resolve("v").resolve("ab/cd/k")));
  }
}
