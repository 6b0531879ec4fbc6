package mkv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stock nginx configured as a volume (WebDAV PUT/DELETE, JSON autoindex) over a root directory:
 * for tests that check our volume server against the reference, and for the bench, which runs the
 * same cycle on nginx volumes as the unit its CPU figures are measured in. Self-contained: needs
 * only an {@code nginx} binary with the dav module (on the PATH unless given).
 *
 * <pre>{@code
 * assumeTrue(NginxVolume.isInstalled(), "nginx not installed");
 * try (var nginx = NginxVolume.start(root)) { ... nginx.baseUrl() ... }
 * }</pre>
 */
public final class NginxVolume implements AutoCloseable {

  private static final String BINARY = "nginx";

  private final Process process;
  private final Path prefix;
  private final Path root;
  private final int port;

  private NginxVolume(Process process, Path prefix, Path root, int port) {
    this.process = process;
    this.prefix = prefix;
    this.root = root;
    this.port = port;
  }

  /** Whether an nginx binary runs here (tests use it in {@code assumeTrue}). */
  public static boolean isInstalled() {
    try {
      Process p = new ProcessBuilder(BINARY, "-v").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Starts nginx serving {@code root} on 127.0.0.1 and a free port, and waits until it accepts
   * connections. Its config, logs, pid and temp paths live in a fresh temp directory (deleted on
   * close); request bodies are buffered in {@code root/.tmp} (same file system, as in production).
   *
   * @throws IllegalStateException if nginx does not come up (the message holds its error log)
   */
  public static NginxVolume start(Path root) {
    return start(Path.of(BINARY), root, "1");
  }

  /**
   * {@link #start(Path)} with a given binary and {@code worker_processes} ({@code auto}, as
   * minikeyvalue's volume script sets it, for measurements).
   */
  public static NginxVolume start(Path binary, Path root, String workers) {
    try {
      Path prefix = Files.createTempDirectory("nginx-volume-");
      Files.createDirectories(root.resolve(".tmp"));
      IllegalStateException last = null;
      // the free port can be taken between our probe and nginx's bind: try a few times
      for (int attempt = 0; attempt < 5; attempt++) {
        int port = freePort();
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, config(prefix, root.toAbsolutePath(), port, workers));
        Process process =
            new ProcessBuilder(
                    binary.toString(),
                    "-p",
                    prefix.toString(),
                    "-c",
                    conf.toString(),
                    "-e",
                    prefix.resolve("error.log").toString(),
                    "-g",
                    "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("stdout.log").toFile())
                .start();
        NginxVolume nginx = new NginxVolume(process, prefix, root, port);
        try {
          nginx.awaitListening();
          return nginx;
        } catch (IllegalStateException e) {
          nginx.stopProcess();
          last = e;
        }
      }
      deleteTree(prefix);
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The volume directives, each also in deploy/nginx-volume.conf (DeployConfigTest checks it). */
  public static final java.util.List<String> VOLUME_DIRECTIVES =
      java.util.List.of(
          "client_max_body_size 0;",
          "dav_methods PUT DELETE;",
          "create_full_put_path on;",
          "dav_access user:rw group:r all:r;",
          "autoindex on;",
          "autoindex_format json;",
          "sendfile on;");

  /** The config: the same volume directives as deploy/nginx-volume.conf, with test paths. */
  static String config(Path prefix, Path root, int port, String workers) {
    boolean isRoot = "root".equals(System.getProperty("user.name"));
    return (isRoot ? "user root;\n" : "")
        + "worker_processes "
        + workers
        + ";\n"
        + "error_log "
        + prefix.resolve("error.log")
        + " warn;\n"
        + "pid "
        + prefix.resolve("nginx.pid")
        + ";\n"
        + "events { worker_connections 256; }\n"
        + "http {\n"
        + "  access_log off;\n"
        + "  sendfile on;\n"
        + "  tcp_nopush on;\n"
        + "  client_body_temp_path "
        + root.resolve(".tmp")
        + ";\n"
        + "  proxy_temp_path "
        + prefix.resolve("proxy")
        + ";\n"
        + "  fastcgi_temp_path "
        + prefix.resolve("fastcgi")
        + ";\n"
        + "  uwsgi_temp_path "
        + prefix.resolve("uwsgi")
        + ";\n"
        + "  scgi_temp_path "
        + prefix.resolve("scgi")
        + ";\n"
        + "  server {\n"
        + "    listen 127.0.0.1:"
        + port
        + ";\n"
        + "    root "
        + root
        + ";\n"
        + "    client_max_body_size 0;\n"
        + "    dav_methods PUT DELETE;\n"
        + "    create_full_put_path on;\n"
        + "    dav_access user:rw group:r all:r;\n"
        + "    autoindex on;\n"
        + "    autoindex_format json;\n"
        + "    location ~ \"/\\.\" { return 404; }\n"
        + "  }\n"
        + "}\n";
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited " + process.exitValue() + ": " + errorLog());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        // poll again until the deadline
      }
      try {
        process.waitFor(20, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException(
        "nginx not listening on " + port + " after 10 s: " + errorLog());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** The error log so far, for failure messages. */
  public String errorLog() {
    StringBuilder b = new StringBuilder();
    for (String name : new String[] {"error.log", "stdout.log"}) {
      try {
        b.append(Files.readString(prefix.resolve(name), StandardCharsets.UTF_8));
      } catch (IOException e) {
        // not written yet
      }
    }
    return b.toString().strip();
  }

  public int port() {
    return port;
  }

  /** "127.0.0.1:PORT". */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** "http://127.0.0.1:PORT", no trailing slash. */
  public String baseUrl() {
    return "http://" + address();
  }

  /** The nginx master process; its workers are its children. */
  public long pid() {
    return process.pid();
  }

  /** The directory served. */
  public Path dir() {
    return root;
  }

  private void stopProcess() {
    // SIGTERM: nginx's master stops its workers, then exits
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills nginx as a whole at once, as a crash of its machine would: no worker is left answering.
   * The master goes first, so that it cannot respawn a worker killed before it (a worker whose
   * master is gone keeps serving, parent 1); its workers are listed before that, since once the
   * master is gone they are no longer its descendants.
   */
  public void kill() {
    List<ProcessHandle> workers = process.descendants().toList();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      workers.forEach(ProcessHandle::destroyForcibly);
      // a killed worker may linger as a zombie if nobody reaps it: what matters is its port
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (answers()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("nginx on " + address() + " still answers after a kill");
        }
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean answers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops nginx and deletes its config and logs (not the root). */
  @Override
  public void close() {
    stopProcess();
    deleteTree(prefix);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
