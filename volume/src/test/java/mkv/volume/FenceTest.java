package mkv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume refuses the writes and deletes of a deposed master (a lower Mkv-Fence than one it has
 * seen), also when such a write's rename comes after a later master's write of the same path, and
 * across a restart; requests without the header are not fenced.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FenceTest {
  @TempDir Path dir;

  @Test
  void aLowerTermIsRefusedOnceAHigherOneWasSeenEvenAfterARestart() throws Exception {
    try (VolumeServer v = VolumeServer.start(dir, "127.0.0.1", 0)) {
      assertEquals(201, status(v, "PUT", "/a/b/k", "5.3", "one"));
      assertEquals(201, status(v, "PUT", "/a/b/k", "5.4", "two"));
      assertEquals(409, status(v, "PUT", "/a/b/k", "5.3", "late"));
      assertEquals(409, status(v, "DELETE", "/a/b/k", "5.3", null));
      assertEquals(201, status(v, "PUT", "/a/b/j", null, "unfenced"));
      assertEquals(201, status(v, "PUT", "/a/b/j", "6.1", "a group formed later"));
      assertEquals(409, status(v, "PUT", "/a/b/j", "5.9", "the old group"));
      assertEquals(400, status(v, "PUT", "/a/b/j", "five", "x"));
    }
    try (VolumeServer v = VolumeServer.start(dir, "127.0.0.1", 0)) {
      assertEquals(409, status(v, "PUT", "/a/b/k", "6.0", "after the restart"));
      assertEquals(204, status(v, "DELETE", "/a/b/k", "6.1", null));
    }
    assertEquals("a group formed later", Files.readString(dir.resolve("a/b/j")));
  }

  @Test
  void aDeposedMastersLateRenameDoesNotLandOverItsSuccessorsWrite() throws Exception {
    try (VolumeServer v = VolumeServer.start(dir, "127.0.0.1", 0)) {
      byte[] half = new byte[200_000]; // streamed: the rename comes when the body ends
      Arrays.fill(half, (byte) 'o');
      try (Socket stale = new Socket("127.0.0.1", v.port())) {
        OutputStream out = stale.getOutputStream();
        out.write(
            ("PUT /a/b/k HTTP/1.1\r\nHost: x\r\nMkv-Fence: 7.2\r\nContent-Length: "
                    + 2 * half.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(half);
        out.flush();
        // the old leader is frozen here; its successor writes the key
        assertEquals(201, status(v, "PUT", "/a/b/k", "7.3", "new"));
        out.write(half); // it resumes: its write ends, and its rename would replace "new"
        out.flush();
        InputStream in = stale.getInputStream();
        assertEquals("HTTP/1.1 409", new String(in.readNBytes(12), StandardCharsets.US_ASCII));
      }
      assertEquals("new", Files.readString(dir.resolve("a/b/k")));
      assertTrue(Files.list(dir.resolve(".tmp")).findAny().isEmpty(), "no temp file left");
    }
  }

  private static int status(VolumeServer v, String method, String path, String fence, String body)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", v.port())) {
      byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              + (fence == null ? "" : "Mkv-Fence: " + fence + "\r\n")
              + "Content-Length: "
              + b.length
              + "\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      String line = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      return Integer.parseInt(line.substring(9, 12));
    }
  }
}
