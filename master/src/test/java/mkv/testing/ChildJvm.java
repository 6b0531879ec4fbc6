package mkv.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in its own JVM, started from the test class path, for tests that need a real process:
 * a memory cap, a SIGKILL, a SIGSTOP. Its log goes to a file; {@link #port()} is read from its
 * {@code listening on host:port} line.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+)");

  private final Process process;
  private final Path log;
  private final int port;

  private ChildJvm(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts {@code mainClass} with {@code jvmFlags} and {@code args}; waits up to 30 s for it to listen. */
  public static ChildJvm start(Path log, List<String> jvmFlags, String mainClass, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // A test JVM that dies or is killed must not leave servers behind.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          var out = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        for (String line; (line = in.readLine()) != null; ) {
          out.write(line);
          out.newLine();
          out.flush();
          Matcher m = LISTENING.matcher(line);
          if (!port.isDone() && m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IOException("child exited before listening; see " + log));
    }, "child-log");
    pump.setDaemon(true);
    pump.start();
    try {
      return new ChildJvm(p, log, port.get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("child " + mainClass + " did not start: " + e.getMessage() + "; log " + log, e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** Resident memory in bytes, from /proc. */
  public long rssBytes() throws IOException {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS for " + process.pid());
  }

  /** Sends a signal by name (STOP, CONT, KILL...). */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** SIGKILL, and wait for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      signal("CONT"); // a frozen process cannot act on SIGTERM
    } catch (IOException e) {
      // already gone
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
