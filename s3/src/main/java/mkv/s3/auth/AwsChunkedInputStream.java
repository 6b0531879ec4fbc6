package mkv.s3.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import mkv.s3.xml.S3Error;

/**
 * Decodes an {@code aws-chunked} body ({@code hex-size[;chunk-signature=SIG]\r\n DATA \r\n ...}, a
 * final empty chunk, then optional trailing headers), checking each chunk's signature as its last
 * byte is read. Bytes are handed on as they arrive, so a chunk is never held whole; whoever
 * forwards them must hold back the body's last byte until {@link #read} has returned -1 (see {@link
 * Payload}), since only then is every signature checked.
 */
public final class AwsChunkedInputStream extends InputStream {
  private static final int MAX_LINE = 4096;

  private final InputStream in;
  private final Auth auth; // null: chunks are not signed
  private final Map<String, String> trailers = new LinkedHashMap<>();
  private final byte[] one = new byte[1];
  private long remaining;
  private long decoded;
  private boolean done;
  private MessageDigest chunkHash;
  private String chunkSignature;
  private String previous;

  /**
   * @param auth the request's authentication when its chunks are signed, else null
   */
  public AwsChunkedInputStream(InputStream in, Auth auth) {
    this.in = in;
    this.auth = auth;
    this.previous = auth == null ? null : auth.seedSignature();
  }

  /** The trailing headers, names in lower case, once the body has been read to its end. */
  public Map<String, String> trailers() {
    return trailers;
  }

  /** Decoded bytes so far. */
  public long decoded() {
    return decoded;
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (remaining == 0) {
      if (done) {
        return -1;
      }
      nextChunk();
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw incomplete("the body ended inside a chunk");
    }
    if (chunkHash != null) {
      chunkHash.update(b, off, n);
    }
    remaining -= n;
    decoded += n;
    if (remaining == 0) {
      crlf();
      verifyChunk();
    }
    return n;
  }

  /** Reads the next chunk's header; for the final (empty) chunk, the trailers too. */
  private void nextChunk() throws IOException {
    String line = line();
    int semi = line.indexOf(';');
    String size = semi < 0 ? line : line.substring(0, semi);
    long length;
    try {
      length = Long.parseLong(size.strip(), 16);
    } catch (NumberFormatException e) {
      throw incomplete("malformed chunk size '" + clip(size) + "'");
    }
    if (length < 0) {
      throw incomplete("negative chunk size");
    }
    chunkSignature = null;
    if (semi >= 0) {
      for (String ext : line.substring(semi + 1).split(";")) {
        if (ext.startsWith("chunk-signature=")) {
          chunkSignature = ext.substring("chunk-signature=".length()).strip();
        }
      }
    }
    if (auth != null && chunkSignature == null) {
      throw signatureMismatch("a chunk has no chunk-signature");
    }
    chunkHash = auth != null ? SigV4.sha256() : null;
    remaining = length;
    if (length == 0) {
      verifyChunk();
      finish();
    }
  }

  private void verifyChunk() throws PayloadException {
    if (auth == null) {
      return;
    }
    String expected =
        SigV4.chunkSignature(
            auth.signingKey(),
            auth.amzDate(),
            auth.scope(),
            previous,
            SigV4.hex(chunkHash.digest()));
    if (!SigV4.same(expected, chunkSignature)) {
      throw signatureMismatch("a chunk's signature does not match its data");
    }
    previous = expected;
  }

  /** After the final chunk: the trailing headers (and their signature), up to the empty line. */
  private void finish() throws IOException {
    done = true;
    StringBuilder signedTrailers = new StringBuilder();
    String trailerSignature = null;
    for (int i = 0; i < 64; i++) {
      String line;
      try {
        line = line();
      } catch (PayloadException endOfBody) {
        if (trailers.isEmpty() && trailerSignature == null && i == 0) {
          return; // some clients end right after the final chunk's line
        }
        throw endOfBody;
      }
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw incomplete("malformed trailing header");
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (name.equals("x-amz-trailer-signature")) {
        trailerSignature = value;
      } else {
        trailers.put(name, value);
        signedTrailers.append(name).append(':').append(value).append('\n');
      }
    }
    if (auth != null && auth.trailer()) {
      if (trailerSignature == null) {
        throw signatureMismatch("the trailing headers carry no x-amz-trailer-signature");
      }
      String expected =
          SigV4.trailerSignature(
              auth.signingKey(),
              auth.amzDate(),
              auth.scope(),
              previous,
              SigV4.sha256Hex(signedTrailers.toString()));
      if (!SigV4.same(expected, trailerSignature)) {
        throw signatureMismatch("the trailing headers' signature does not match");
      }
    }
  }

  private void crlf() throws IOException {
    if (in.read() != '\r' || in.read() != '\n') {
      throw incomplete("a chunk does not end with CRLF");
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(96);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw incomplete("the body ended before its final chunk");
      }
      if (c == '\r') {
        if (in.read() != '\n') {
          throw incomplete("a chunk header does not end with CRLF");
        }
        return buf.toString(StandardCharsets.US_ASCII);
      }
      if (buf.size() >= MAX_LINE) {
        throw incomplete("a chunk header is longer than " + MAX_LINE + " bytes");
      }
      buf.write(c);
    }
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static PayloadException incomplete(String why) {
    return new PayloadException(
        new S3Error(400, "IncompleteBody", "malformed aws-chunked body: " + why));
  }

  private static PayloadException signatureMismatch(String why) {
    return new PayloadException(
        new S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated "
                + "does not match the signature you provided: "
                + why));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
