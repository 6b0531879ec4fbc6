package mkv.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.testing.ChildJvm;
import mkv.testing.Http;
import mkv.testing.ServerProcess;
import mkv.testing.TestCluster;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master streams values: a master capped at 64 MiB of heap stores and serves a 512 MiB value.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LargeValueTest {
  static final long SIZE = 512L << 20;

  @Test
  void masterWith64MiBHeapAccepts512MiBValue(@TempDir Path tmp) throws Exception {
    try (TestCluster volumes = TestCluster.volumes(tmp, 3);
        ServerProcess master =
            ChildJvm.master(
                tmp,
                List.of("-Xmx64m"),
                0,
                tmp.resolve("index"),
                volumes.addresses(),
                "--replicas",
                "3",
                "--subvolumes",
                "3")) {
      String url = "http://127.0.0.1:" + master.port() + "/large/value";
      MessageDigest sent = MessageDigest.getInstance("MD5");
      RequestBody body =
          new RequestBody() {
            @Override
            public okhttp3.MediaType contentType() {
              return Http.OCTETS;
            }

            @Override
            public long contentLength() {
              return SIZE;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
              byte[] chunk = new byte[1 << 20];
              for (long done = 0; done < SIZE; done += chunk.length) {
                for (int i = 0; i < chunk.length; i += 4096) {
                  chunk[i] = (byte) (done >> 20); // varies per MiB, so misplaced chunks would show
                }
                sent.update(chunk);
                sink.write(chunk);
              }
            }
          };
      try (Response r =
          Http.CLIENT.newCall(new Request.Builder().url(url).put(body).build()).execute()) {
        assertEquals(201, r.code(), r.body().string());
      }
      String expected = HexFormat.of().formatHex(sent.digest());
      Http.Reply redirect = Http.get(url);
      assertEquals(expected, redirect.header("Content-Md5"));
      MessageDigest got = MessageDigest.getInstance("MD5");
      long length = 0;
      try (Response r =
              Http.CLIENT
                  .newCall(new Request.Builder().url(redirect.header("Location")).build())
                  .execute();
          InputStream in = r.body().byteStream()) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          got.update(buf, 0, n);
          length += n;
        }
      }
      assertEquals(SIZE, length);
      assertEquals(expected, HexFormat.of().formatHex(got.digest()));
      assertTrue(master.isAlive(), "master died; see " + master.log());
    }
  }
}
