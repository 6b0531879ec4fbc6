package mkv.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mkv.cli.ServerProcess;

/** Starts a server main class from the test class path in its own JVM, for tests that kill or freeze it. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code mainClass} with {@code jvmFlags} and {@code args}; waits up to 30 s for it to listen. */
  public static ServerProcess start(Path log, List<String> jvmFlags, String mainClass, List<String> args)
      throws IOException {
    String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    return ServerProcess.start(name, ServerProcess.java(jvmFlags, System.getProperty("java.class.path"), mainClass, args),
        log, Duration.ofSeconds(30));
  }
}
