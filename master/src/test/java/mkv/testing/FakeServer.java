package mkv.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a raw socket that reads one request at a time and answers what {@code answer} makes
 * of it (null: nothing), to play a volume or a master that misbehaves on purpose.
 */
public final class FakeServer implements AutoCloseable {
  public interface Answer {
    String to(String request);
  }

  private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  public final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new ArrayList<>();
  private final Thread thread;

  public FakeServer(Answer answer) throws IOException {
    this(answer, false);
  }

  public FakeServer(Answer answer, boolean closeAfterEach) throws IOException {
    thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket s = server.accept();
                  synchronized (open) {
                    open.add(s);
                  }
                  connections.incrementAndGet();
                  Thread t = new Thread(() -> serve(s, answer, closeAfterEach));
                  t.setDaemon(true);
                  t.start();
                }
              } catch (IOException closed) {
                // the test is over
              }
            });
    thread.setDaemon(true);
    thread.start();
  }

  private static void serve(Socket s, Answer answer, boolean closeAfterEach) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      while (true) {
        String request = readRequest(in);
        if (request == null) {
          return;
        }
        String reply = answer.to(request);
        if (reply == null) {
          in.transferTo(
              OutputStream.nullOutputStream()); // silent until the client or close() ends it
          return;
        }
        out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (closeAfterEach || reply.startsWith("HTTP/1.0")) {
          return;
        }
      }
    } catch (IOException e) {
      // connection gone
    }
  }

  /** Headers, then a Content-Length body; null at the end of the stream. */
  private static String readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.append((char) b);
    }
    String h = head.toString();
    int at = h.toLowerCase().indexOf("content-length:");
    if (at >= 0) {
      int n = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
      in.readNBytes(n);
    }
    return h;
  }

  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (open) {
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
