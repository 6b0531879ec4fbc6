import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes N small keys (/fill/0 .. /fill/N-1, 100 bytes each unless a size is given) through a
 * master, 64 in flight, for the tools' measurement. Run with the JDK's source launcher:
 * java Fill.java http://127.0.0.1:4000 100000 [SIZE]
 */
public class Fill {
  public static void main(String[] args) throws Exception {
    String master = args[0];
    int n = Integer.parseInt(args[1]);
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    Semaphore inFlight = new Semaphore(64);
    AtomicLong failed = new AtomicLong();
    byte[] value = new byte[args.length > 2 ? Integer.parseInt(args[2]) : 100];
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      HttpRequest put = HttpRequest.newBuilder(URI.create(master + "/fill/" + i))
          .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build();
      http.sendAsync(put, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
        if (e != null || r.statusCode() != 201) {
          failed.incrementAndGet();
        }
        inFlight.release();
      });
    }
    inFlight.acquire(64);
    double s = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "filled %d keys in %.1f s (%.0f keys/s), %d failed%n", n, s, n / s, failed.get());
    if (failed.get() > 0) {
      System.exit(1);
    }
  }
}
