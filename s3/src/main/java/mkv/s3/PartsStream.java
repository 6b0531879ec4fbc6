package mkv.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import mkv.s3.xml.S3Error;
import okhttp3.Response;

/**
 * The parts of a completing upload as one stream, each opened on one of its replicas (failing over
 * like a GetObject) when the previous one ends, and read to exactly its recorded size.
 */
final class PartsStream extends InputStream {
  private final MasterClient master;
  private final GetHandler reads;
  private final List<MasterClient.Entry> parts;
  private int next;
  private Response current;
  private InputStream in;
  private long left;

  PartsStream(MasterClient master, GetHandler reads, List<MasterClient.Entry> parts) {
    this.master = master;
    this.reads = reads;
    this.parts = parts;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (left == 0) {
      closeCurrent();
      if (next == parts.size()) {
        return -1;
      }
      MasterClient.Entry part = parts.get(next++);
      MasterClient.Located loc = master.locate(part.key());
      if (loc == null) {
        throw new S3Error(
            400,
            "InvalidPart",
            "part " + Upload.partNumber(part.key()) + " vanished while completing");
      }
      current = reads.openAny(part.key(), loc, null);
      in = current.body().byteStream();
      left = part.size();
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n < 0) {
      throw new IOException(
          "part " + parts.get(next - 1).key() + " ended " + left + " bytes short");
    }
    left -= n;
    return n;
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public void close() {
    closeCurrent();
  }
}
