package mkv.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncfsTest {
  @TempDir Path dir;

  @Test
  void runsAndASecondCloseLeavesTheNextDescriptorAlone() throws Exception {
    Syncfs syncfs = Syncfs.open(dir);
    assumeTrue(syncfs != null, "syncfs(2) is Linux only");
    Path f = Files.writeString(dir.resolve("f"), "abc");
    syncfs.run();
    syncfs.close();
    // The kernel hands out the lowest free number: this file most likely gets the one just closed.
    try (FileChannel ch = FileChannel.open(f)) {
      syncfs.close();
      ByteBuffer b = ByteBuffer.allocate(3);
      assertEquals(3, ch.read(b, 0), "a second close must not close a descriptor opened since");
    }
  }
}
