package mkv.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * {@code disk}: the reference for {@code cycle}. N threads do what a volume does for each durable
 * PUT, straight on the disk: write 1 KiB to a temp file, fsync it, rename it into place, fsync the
 * directory. A cycle costs at least three of these (one per replica) plus the index's synced
 * writes, so this rate divided by three bounds what {@code cycle} can reach on this disk.
 */
final class DiskWorkload {
  private DiskWorkload() {}

  static Result run(BenchConfig config) throws InterruptedException, IOException {
    int workers = config.concurrency(CycleWorkload.DEFAULT_WORKERS);
    Bound bound = new Bound(config.duration(), config.count());
    Path dir = Files.createTempDirectory("mkv-bench-disk");
    Histogram latency = Result.newHistogram();
    long[] ops = new long[workers];
    String[] error = new String[workers];
    Thread[] threads = new Thread[workers];
    long start = System.nanoTime();
    try {
      for (int w = 0; w < workers; w++) {
        int id = w;
        threads[w] =
            new Thread(
                () -> {
                  ByteBuffer value = ByteBuffer.allocate(1024);
                  Histogram mine = Result.newHistogram();
                  try {
                    while (bound.tryAcquire()) {
                      long t = System.nanoTime();
                      Path tmp = dir.resolve("t" + id + "-" + ops[id]);
                      try (FileChannel out =
                          FileChannel.open(
                              tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        out.write(value.clear());
                        out.force(true);
                      }
                      Files.move(
                          tmp,
                          dir.resolve("f" + id + "-" + ops[id]),
                          StandardCopyOption.ATOMIC_MOVE);
                      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                        d.force(true);
                      }
                      mine.recordValue(System.nanoTime() - t);
                      ops[id]++;
                    }
                  } catch (IOException e) {
                    error[id] = e.toString();
                  }
                  synchronized (latency) {
                    latency.add(mine);
                  }
                },
                "disk-" + w);
        threads[w].start();
      }
      for (Thread t : threads) {
        t.join();
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long total = 0;
    long errors = 0;
    String firstError = null;
    for (int w = 0; w < workers; w++) {
      total += ops[w];
      if (error[w] != null) {
        errors++;
        firstError = firstError == null ? error[w] : firstError;
      }
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("threads", workers);
    extra.put("dir", dir.getParent().toString());
    return new Result(
        "disk",
        "disk: durable 1 KiB writes",
        total,
        errors,
        total * 1024,
        seconds,
        latency,
        firstError,
        extra);
  }
}
