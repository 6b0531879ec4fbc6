package mkv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time a process has used, user plus system, from {@code /proc/PID/stat}: all its threads, and
 * its child processes (nginx's workers) while they run. Linux only; the figures the bench compares
 * are CPU per operation, so that a server's cost is seen apart from the load generator's on shared
 * cores.
 */
final class Cpu {
  /** /proc counts in clock ticks of 1/100 s (USER_HZ, fixed at 100 on Linux's user ABI). */
  private static final long NANOS_PER_TICK = 10_000_000;

  private Cpu() {}

  /** Nanoseconds of CPU of {@code pid} and its descendants. */
  static long nanos(long pid) throws IOException {
    long ticks = ticks(pid);
    for (ProcessHandle child :
        ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
      try {
        ticks += ticks(child.pid());
      } catch (IOException gone) {
        // exited between the listing and the read
      }
    }
    return ticks * NANOS_PER_TICK;
  }

  /** Nanoseconds of CPU of this process (the load generator). */
  static long self() throws IOException {
    return ticks(ProcessHandle.current().pid()) * NANOS_PER_TICK;
  }

  private static long ticks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // the name, field 2, is in parentheses and may hold spaces: count fields after its closing one
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime, fields 14 and 15
  }
}
