package mkv.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server started as a child process (by {@code ./mkv bench --cluster}, and by tests that need a
 * real process to kill or freeze): its output goes to a log file and its port is read from its
 * {@code listening on HOST:PORT} line, so it can be started on port 0.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+)");

  private final String name;
  private final Process process;
  private final Path log;
  private final int port;

  private ServerProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code command} and waits up to {@code patience} for its listening line.
   *
   * @throws IOException naming the log when it exits or stays silent first (it is then killed)
   */
  public static ServerProcess start(String name, List<String> command, Path log, Duration patience)
      throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // Whoever started it may die without closing it: a server must not outlive its parent.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
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
              port.completeExceptionally(
                  new IOException(name + " exited before listening; its log: " + log));
            },
            name + "-log");
    pump.setDaemon(true);
    pump.start();
    try {
      return new ServerProcess(name, p, log, port.get(patience.toMillis(), TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException(name + " did not start: " + e.getMessage() + "; log " + log, e);
    }
  }

  /**
   * The command line running {@code mainClass} in a new JVM of this JVM's kind, on {@code
   * classPath}.
   */
  public static List<String> java(
      List<String> jvmFlags, String classPath, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    return command;
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

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends a signal by name (STOP, CONT, KILL...). */
  public void signal(String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + this + " failed");
    }
  }

  /** SIGKILL, and wait for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM (after a SIGCONT, as a frozen process cannot act on it), then SIGKILL after 10 s. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        signal("CONT");
      }
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (IOException e) {
      process.destroyForcibly(); // gone between the check and the signal, or kill(1) missing
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
