package mkv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stock nginx on 127.0.0.1 with a generated config: the reference every figure is compared with.
 * It serves one file tree (for the volume comparison) and {@code /302}, a bare {@code return 302}
 * (the ceiling for any redirect server on this machine, and so of the load generator itself).
 */
final class Nginx implements AutoCloseable {
  static final String REDIRECT_PATH = "/302";

  private final Path prefix;
  private final Process process;
  private final int port;

  private Nginx(Path prefix, Process process, int port) {
    this.prefix = prefix;
    this.process = process;
    this.port = port;
  }

  /** The nginx binary: on PATH or in /usr/sbin, null when it is not installed. */
  static Path find() {
    for (String dir :
        (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
        return Path.of(dir, "nginx");
      }
    }
    return null;
  }

  /** Starts {@code binary} serving a fresh temp dir, whose {@code html/} the caller fills. */
  static Nginx start(Path binary) throws IOException {
    Path prefix = Files.createTempDirectory("mkv-bench-nginx-");
    // workers may run as nobody (when we are root): they must be able to read the tree
    Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(prefix.resolve("html"));
    Files.createDirectories(prefix.resolve("logs"));
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String conf =
        """
        worker_processes auto;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          sendfile on;
          tcp_nopush on;
          keepalive_requests 100000000;
          keepalive_timeout 120s;
          default_type application/octet-stream;
          client_body_temp_path %1$s/tmp;
          proxy_temp_path %1$s/tmp;
          fastcgi_temp_path %1$s/tmp;
          uwsgi_temp_path %1$s/tmp;
          scgi_temp_path %1$s/tmp;
          server {
            listen 127.0.0.1:%2$d;
            root %1$s/html;
            location = %3$s { return 302 http://127.0.0.1:%2$d/elsewhere; }
          }
        }
        """
            .formatted(prefix, port, REDIRECT_PATH);
    Files.writeString(prefix.resolve("nginx.conf"), conf, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "-p",
                    prefix.toString(),
                    "-c",
                    prefix.resolve("nginx.conf").toString()))
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
            .start();
    Nginx n = new Nginx(prefix, p, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return n;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          String log =
              Files.exists(prefix.resolve("logs/error.log"))
                  ? Files.readString(prefix.resolve("logs/error.log"))
                  : "";
          n.close();
          throw new IOException("nginx did not start on port " + port + ": " + log.strip());
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          n.close();
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while starting nginx");
        }
      }
    }
  }

  InetSocketAddress address() {
    return InetSocketAddress.createUnresolved("127.0.0.1", port);
  }

  /** Where files served at {@code /} live. */
  Path html() {
    return prefix.resolve("html");
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    LocalCluster.deleteTree(prefix);
  }
}
