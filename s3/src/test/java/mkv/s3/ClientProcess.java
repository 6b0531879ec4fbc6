package mkv.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real S3 client (awscli, a python script) as a child process, bounded in time. */
final class ClientProcess {
  private ClientProcess() {}

  /** What a run printed and how it ended. */
  record Result(int exit, String out) {
    Result expectOk(String what) {
      if (exit != 0) {
        throw new AssertionError(what + " exited " + exit + ":\n" + out);
      }
      return this;
    }
  }

  /** The first of {@code candidates} that exists and is executable, or null. */
  static Path find(String... candidates) {
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Runs {@code command} with {@code env} added, stdout and stderr together, killed after {@code
   * seconds}.
   */
  static Result run(Path workDir, Map<String, String> env, long seconds, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(new ArrayList<>(command))
            .directory(workDir.toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Path out = Files.createTempFile(workDir, "client", ".out");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          command
              + " did not finish in "
              + seconds
              + " s:\n"
              + Files.readString(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
