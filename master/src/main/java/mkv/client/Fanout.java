package mkv.client;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mkv.layout.KeyPath;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * One streamed write of a value to several replicas at once.
 *
 * <p>The reader thread reads a chunk, hands the same chunk to every replica's small queue, and
 * reads the next; each replica's connection drains its own queue. Memory is bounded by {@link
 * #QUEUE_CHUNKS} chunks whatever the value size, and the slowest replica paces the reader. A
 * replica that fails is dropped; the write goes on while at least {@code required} remain.
 *
 * <p>A value of known length up to one chunk is read whole first and sent to every replica from
 * that one array ({@link VolumeClient#onEach}): no queues, and the calling thread writes to one
 * replica itself.
 */
final class Fanout {
  static final int CHUNK = 128 * 1024;
  static final int QUEUE_CHUNKS = 8;
  private static final byte[] END = new byte[0];
  private static final long POLL_MS = 50;

  private final VolumeClient client;
  private final List<String> replicas;
  private final String path;
  private final InputStream source;
  private final long length;
  private final MessageDigest md5;
  private final int required;
  private final List<Stream> streams = new ArrayList<>();
  private final List<VolumeException> failures = new ArrayList<>();
  private volatile boolean aborted;

  Fanout(
      VolumeClient client,
      List<String> replicas,
      String path,
      InputStream source,
      long length,
      boolean md5,
      int required) {
    this.client = client;
    this.replicas = replicas;
    this.path = path;
    this.source = source;
    this.length = length;
    this.md5 = md5 ? KeyPath.md5() : null;
    this.required = required;
  }

  Written run() throws IOException {
    if (length >= 0 && length <= CHUNK) {
      return runSmall();
    }
    for (String replica : replicas) {
      Stream s = new Stream(replica);
      s.call = client.newPut(replica, path, s);
      s.result =
          client
              .replicaWriters()
              .submit(
                  () -> {
                    client.call(replica, "PUT", s.call, 200, 201, 204).close();
                    return null;
                  });
      streams.add(s);
    }
    try {
      long size = pump();
      for (Stream s : streams) {
        if (!s.failed) {
          await(s);
        }
      }
      return new Written(
          size, md5 == null ? null : HexFormat.of().formatHex(md5.digest()), List.copyOf(failures));
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** A value of at most one chunk: read whole, then sent from the one array to every replica. */
  private Written runSmall() throws IOException {
    byte[] value;
    try {
      value =
          source.readNBytes(
              (int) length + 1); // a byte past the length: a longer source is refused too
    } catch (IOException e) {
      throw new SourceException("reading the value failed: " + e.getMessage(), e);
    }
    if (value.length != length) {
      throw new SourceException(
          "the body has " + value.length + " bytes, not the " + length + " announced", null);
    }
    if (md5 != null) {
      md5.update(value);
    }
    RequestBody body = RequestBody.create(value, VolumeClient.OCTETS);
    failures.addAll(client.onEach(replicas, r -> client.put(r, path, body)));
    if (replicas.size() - failures.size() < required) {
      throw failures.get(0);
    }
    return new Written(
        length, md5 == null ? null : HexFormat.of().formatHex(md5.digest()), List.copyOf(failures));
  }

  /** Reads the source into every replica's queue; returns the byte count. */
  private long pump() throws IOException {
    long size = 0;
    while (true) {
      // a known length sizes the last chunk: a 200 KiB value does not allocate two full chunks
      byte[] chunk =
          new byte[length < 0 ? CHUNK : (int) Math.max(1, Math.min(CHUNK, length - size))];
      int n;
      try {
        n = source.readNBytes(chunk, 0, chunk.length);
      } catch (IOException e) {
        throw new SourceException(
            "reading the value failed after " + size + " bytes: " + e.getMessage(), e);
      }
      if (n == 0) {
        break;
      }
      size += n;
      if (md5 != null) {
        md5.update(chunk, 0, n);
      }
      byte[] piece = n == chunk.length ? chunk : Arrays.copyOf(chunk, n);
      for (Stream s : streams) {
        if (!s.failed) {
          offer(s, piece);
        }
      }
      if (n < chunk.length) {
        break;
      }
    }
    if (length >= 0 && size != length) {
      throw new SourceException("the body ended after " + size + " of " + length + " bytes", null);
    }
    for (Stream s : streams) {
      if (!s.failed) {
        offer(s, END);
      }
    }
    return size;
  }

  /** Queues a chunk for one replica, giving up as soon as that replica has failed. */
  private void offer(Stream s, byte[] chunk) throws IOException {
    try {
      while (!s.queue.offer(chunk, POLL_MS, TimeUnit.MILLISECONDS)) {
        if (s.result.isDone()) {
          await(s);
          if (!s.failed) {
            dropped(
                s, new VolumeException(s.replica, 0, "PUT ended before the body was sent", null));
          }
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceException("interrupted", e);
    }
  }

  /** Waits for a replica's answer; a failure drops it, and fails the write when too few remain. */
  private void await(Stream s) throws IOException {
    try {
      s.result.get();
    } catch (ExecutionException e) {
      dropped(
          s,
          e.getCause() instanceof VolumeException v
              ? v
              : new VolumeException(s.replica, 0, "PUT failed: " + e.getCause(), e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceException("interrupted", e);
    }
  }

  private void dropped(Stream s, VolumeException failure) throws VolumeException {
    s.failed = true;
    s.call.cancel();
    failures.add(failure);
    if (streams.size() - failures.size() < required) {
      throw failures.get(0);
    }
  }

  private void abort() {
    aborted = true;
    for (Stream s : streams) {
      s.call.cancel();
    }
  }

  /** One replica's connection: a request body fed from a queue of chunks. */
  private final class Stream extends RequestBody {
    final String replica;
    final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    Call call;
    Future<Void> result;
    volatile boolean failed;

    Stream(String replica) {
      this.replica = replica;
    }

    @Override
    public MediaType contentType() {
      return VolumeClient.OCTETS;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      while (true) {
        byte[] chunk;
        try {
          chunk = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
        if (aborted || failed) {
          throw new IOException("write to " + replica + " aborted");
        }
        if (chunk == END) {
          return;
        }
        if (chunk != null) {
          sink.write(chunk);
        }
      }
    }
  }
}
