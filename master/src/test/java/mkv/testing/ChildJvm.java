package mkv.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts a server main class from the test class path in its own JVM, for tests that kill or freeze
 * it.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code mainClass} with {@code jvmFlags} and {@code args}; waits up to 30 s for it to
   * listen.
   */
  public static ServerProcess start(
      Path log, List<String> jvmFlags, String mainClass, List<String> args) throws IOException {
    String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    return ServerProcess.start(
        name,
        ServerProcess.java(jvmFlags, System.getProperty("java.class.path"), mainClass, args),
        log,
        Duration.ofSeconds(30));
  }

  /**
   * A master in its own JVM on 127.0.0.1 ({@code port} 0: any free one), its index in {@code db},
   * over {@code volumes} (null: the placement its index holds), its log in {@code tmp}, with {@code
   * jvmFlags}; {@code args} are added (--replicas, --subvolumes, ...).
   */
  public static ServerProcess master(
      Path tmp, List<String> jvmFlags, int port, Path db, List<String> volumes, String... args)
      throws IOException {
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--db", db.toString()));
    if (volumes != null) {
      all.addAll(List.of("--volumes", String.join(",", volumes)));
    }
    all.addAll(List.of(args));
    return start(
        tmp.resolve("master-" + System.nanoTime() + ".log"),
        jvmFlags,
        mkv.master.MasterMain.class.getName(),
        all);
  }

  /**
   * Volumes 0..n-1 in their own JVMs, as {@link #volume}; none left running if one fails to start.
   */
  public static List<ServerProcess> volumes(Path tmp, int n) throws IOException {
    List<ServerProcess> started = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        started.add(volume(tmp, i, 0));
      }
      return started;
    } catch (IOException | RuntimeException e) {
      started.forEach(ServerProcess::close);
      throw e;
    }
  }

  /**
   * A volume server in its own JVM on 127.0.0.1 ({@code port} 0: any free one), its data in {@code
   * tmp/volume<i>} (kept across restarts), its log next to it; {@code args} are added.
   */
  public static ServerProcess volume(Path tmp, int i, int port, String... args) throws IOException {
    Path dir = java.nio.file.Files.createDirectories(tmp.resolve("volume" + i));
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--dir", dir.toString()));
    all.addAll(List.of(args));
    return start(
        tmp.resolve("volume" + i + "-" + System.nanoTime() + ".log"),
        List.of("-Xmx128m"),
        mkv.volume.VolumeMain.class.getName(),
        all);
  }
}
