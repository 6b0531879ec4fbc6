package mkv.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a process running: a child JVM, an nginx, or an nginx worker
 * orphaned by its master (parent 1, no longer our descendant, found by its working directory). A
 * leftover keeps a port answering that a later test believes dead, so it is killed once reported.
 * Registered for every test class of every module (META-INF/services, autodetection on in the
 * parent pom).
 */
public final class NoProcessLeftBehind implements AfterAllCallback {
  private static final Duration GRACE = Duration.ofSeconds(10);

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    List<ProcessHandle> left = leftBehind();
    long deadline = System.nanoTime() + GRACE.toNanos();
    // a process being stopped may take a moment to exit (and be reaped)
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = left.stream().filter(NoProcessLeftBehind::running).toList();
    }
    if (!left.isEmpty()) {
      String names =
          left.stream().map(NoProcessLeftBehind::describe).collect(Collectors.joining("; "));
      left.forEach(ProcessHandle::destroyForcibly);
      throw new AssertionError(
          context.getDisplayName() + " left processes running (now killed): " + names);
    }
  }

  /** Processes started since this JVM: its descendants, and orphans in its working directory. */
  static List<ProcessHandle> leftBehind() {
    ProcessHandle self = ProcessHandle.current();
    Instant since = self.info().startInstant().orElse(Instant.EPOCH);
    Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self.pid() && running(p))
        .filter(p -> p.info().startInstant().map(t -> !t.isBefore(since)).orElse(false))
        .filter(p -> isDescendant(p, self) || cwd.equals(workingDirectory(p).orElse(null)))
        .toList();
  }

  /** Alive and not a zombie (killed, holding nothing, waiting for a parent that may never reap). */
  private static boolean running(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return p.isAlive();
    }
  }

  private static boolean isDescendant(ProcessHandle p, ProcessHandle ancestor) {
    for (Optional<ProcessHandle> up = p.parent(); up.isPresent(); up = up.get().parent()) {
      if (up.get().pid() == ancestor.pid()) {
        return true;
      }
    }
    return false;
  }

  private static Optional<Path> workingDirectory(ProcessHandle p) {
    try {
      return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty(); // gone, or not ours to look at
    }
  }

  private static String describe(ProcessHandle p) {
    ProcessHandle.Info info = p.info();
    return p.pid()
        + " "
        + info.commandLine().or(info::command).orElse("?")
        + " (parent "
        + p.parent().map(ProcessHandle::pid).orElse(0L)
        + ")";
  }
}
