package mkv.s3.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import mkv.s3.xml.S3Error;

/**
 * A request body as the object's bytes: aws-chunked decoded, its chunk signatures, its signed
 * SHA-256 and any {@code x-amz-checksum-*} checked, without ever holding it.
 *
 * <p>Every byte but the last is handed on as it arrives; the last is held back until the whole body
 * has been read and every check passed. Whoever stores the bytes (the master, told the length in
 * advance) therefore never receives a complete value that fails a check: a failure makes the
 * forwarded body end short, and the master keeps nothing.
 */
public final class Payload extends InputStream {
  private final InputStream source;
  private final AwsChunkedInputStream chunked; // null when the body is not aws-chunked
  private final long length;
  private final MessageDigest sha256; // null unless the signature covers the body's hash
  private final String expectedSha256;
  private final String checksumHeader; // x-amz-checksum-ALG to compare, or null
  private final String
      checksumExpected; // its value from the headers, or null (then from the trailer)
  private final Checksum crc;
  private final MessageDigest checksumDigest;
  private final byte[] one = new byte[1];
  private long position;
  private boolean finished;

  private Payload(
      InputStream source,
      AwsChunkedInputStream chunked,
      long length,
      String expectedSha256,
      String checksumHeader,
      String checksumExpected) {
    this.source = source;
    this.chunked = chunked;
    this.length = length;
    this.expectedSha256 = expectedSha256;
    this.sha256 = expectedSha256 == null ? null : SigV4.sha256();
    this.checksumHeader = checksumHeader;
    this.checksumExpected = checksumExpected;
    String alg = checksumHeader == null ? "" : checksumHeader.substring("x-amz-checksum-".length());
    this.crc =
        switch (alg) {
          case "crc32" -> new CRC32();
          case "crc32c" -> new CRC32C();
          default -> null;
        };
    this.checksumDigest =
        switch (alg) {
          case "sha1" -> digest("SHA-1");
          case "sha256" -> digest("SHA-256");
          default -> null;
        };
  }

  /**
   * The body of a request that {@code auth} authenticated.
   *
   * @param raw the request body as received
   * @param contentLength the request's Content-Length, -1 if it sent none
   * @throws mkv.s3.xml.S3Error 411 when the object's length is not announced
   */
  public static Payload of(InputStream raw, Auth auth, SignedRequest request, long contentLength) {
    long length = contentLength;
    AwsChunkedInputStream chunked = null;
    InputStream source = raw;
    if (auth.streaming()) {
      String decoded = request.header("x-amz-decoded-content-length");
      if (decoded == null) {
        throw new S3Error(
            411, "MissingContentLength", "an aws-chunked body needs x-amz-decoded-content-length");
      }
      try {
        length = Long.parseLong(decoded.strip());
      } catch (NumberFormatException e) {
        throw S3Error.invalidArgument("x-amz-decoded-content-length must be a number");
      }
      chunked = new AwsChunkedInputStream(raw, auth.signedChunks() ? auth : null);
      source = chunked;
    }
    if (length < 0) {
      throw new S3Error(
          411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    }
    String header = null;
    String expected = null;
    String trailer = request.header("x-amz-trailer");
    if (trailer != null && trailer.toLowerCase(Locale.ROOT).startsWith("x-amz-checksum-")) {
      header = trailer.strip().toLowerCase(Locale.ROOT);
    } else {
      for (String alg : new String[] {"crc32", "crc32c", "sha1", "sha256", "crc64nvme"}) {
        String v = request.header("x-amz-checksum-" + alg);
        if (v != null) {
          header = "x-amz-checksum-" + alg;
          expected = v.strip();
          break;
        }
      }
    }
    return new Payload(source, chunked, length, auth.bodySha256(), header, expected);
  }

  /** The object's length: what the master is told to expect. */
  public long length() {
    return length;
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
    if (position == length) {
      if (!finished) {
        finish();
      }
      return -1;
    }
    long free = length - 1 - position;
    if (free > 0) {
      int n = source.read(b, off, (int) Math.min(len, free));
      if (n < 0) {
        throw short_();
      }
      update(b, off, n);
      position += n;
      return n;
    }
    int last = source.read();
    if (last < 0) {
      throw short_();
    }
    b[off] = (byte) last;
    update(b, off, 1);
    finish();
    position++;
    return 1;
  }

  private void update(byte[] b, int off, int n) {
    if (sha256 != null) {
      sha256.update(b, off, n);
    }
    if (crc != null) {
      crc.update(b, off, n);
    }
    if (checksumDigest != null) {
      checksumDigest.update(b, off, n);
    }
  }

  /** Reads the body to its end (trailers included) and runs every check. */
  private void finish() throws IOException {
    finished = true;
    if (source.read() >= 0) {
      throw new PayloadException(
          new S3Error(
              400,
              "IncompleteBody",
              "the body is longer than the "
                  + (chunked != null ? "x-amz-decoded-content-length" : "Content-Length")
                  + " announced"));
    }
    if (sha256 != null) {
      String got = SigV4.hex(sha256.digest());
      if (!got.equalsIgnoreCase(expectedSha256)) {
        throw new PayloadException(
            new S3Error(
                    400,
                    "XAmzContentSHA256Mismatch",
                    "The provided "
                        + "'x-amz-content-sha256' header does not match what was computed.")
                .with("ClientComputedContentSHA256", expectedSha256)
                .with("S3ComputedContentSHA256", got));
      }
    }
    if (checksumHeader != null) {
      String expected =
          checksumExpected != null
              ? checksumExpected
              : chunked == null ? null : chunked.trailers().get(checksumHeader);
      String got = computedChecksum();
      if (expected != null && got != null && !expected.equals(got)) {
        throw new PayloadException(
            new S3Error(
                400,
                "BadDigest",
                "The "
                    + checksumHeader.substring("x-amz-checksum-".length()).toUpperCase(Locale.ROOT)
                    + " you specified did not match the calculated checksum."));
      }
    }
  }

  /**
   * The base64 checksum of what was read, or null for an algorithm not checked here (CRC64NVME).
   */
  private String computedChecksum() {
    if (crc != null) {
      return Base64.getEncoder()
          .encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
    if (checksumDigest != null) {
      return Base64.getEncoder().encodeToString(checksumDigest.digest());
    }
    return null;
  }

  private PayloadException short_() {
    return new PayloadException(
        new S3Error(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes "
                + "specified by the Content-Length HTTP header"));
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is part of every JDK", e);
    }
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
