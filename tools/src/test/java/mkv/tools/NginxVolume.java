package mkv.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.testing.Http;

/**
 * A stock nginx serving a directory as a volume (WebDAV PUT/DELETE, autoindex JSON), for tests
 * that prove the tools work against nginx as well as our volume server.
 */
public final class NginxVolume implements AutoCloseable {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  private final Process process;
  private final int port;

  private NginxVolume(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Whether nginx is installed here. */
  public static boolean available() {
    return Files.isExecutable(NGINX);
  }

  /** Starts nginx on a free 127.0.0.1 port serving {@code dir}; its config and logs go to {@code prefix}. */
  public static NginxVolume start(Path prefix, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.createDirectories(prefix.resolve("temp"));
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // a free port may be taken before nginx binds it
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path conf = prefix.resolve("nginx.conf");
      Files.writeString(conf, config(prefix, dir, port));
      Process p = new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c", conf.toString(), "-g",
          "daemon off;").redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
      boolean up = Http.eventually(Duration.ofSeconds(10), () -> !p.isAlive() || accepts(port));
      if (up && p.isAlive()) {
        return new NginxVolume(p, port);
      }
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
      last = new IOException("nginx did not start on " + port + ": " + Files.readString(prefix.resolve("error.log")));
    }
    throw last;
  }

  private static String config(Path prefix, Path dir, int port) {
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    String temp = prefix.resolve("temp").toString();
    return user + """
        worker_processes 1;
        error_log %1$s/error.log warn;
        pid %1$s/nginx.pid;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %2$s/body;
          proxy_temp_path %2$s/proxy;
          fastcgi_temp_path %2$s/fastcgi;
          uwsgi_temp_path %2$s/uwsgi;
          scgi_temp_path %2$s/scgi;
          client_max_body_size 0;
          server {
            listen 127.0.0.1:%3$d;
            location / {
              root %4$s;
              dav_methods PUT DELETE;
              create_full_put_path on;
              dav_access user:rw group:r all:r;
              autoindex on;
              autoindex_format json;
            }
          }
        }
        """.formatted(prefix, temp, port, dir);
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code 127.0.0.1:port}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The addresses of several volumes. */
  public static List<String> addresses(List<NginxVolume> volumes) {
    return volumes.stream().map(NginxVolume::address).toList();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
