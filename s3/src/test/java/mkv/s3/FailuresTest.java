package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import mkv.http.ErrorCode;
import mkv.s3.xml.S3Error;
import org.junit.jupiter.api.Test;

/** What the master's refusals become in S3's terms: by their code, never by their text. */
class FailuresTest {
  private static S3Error fromMaster(int status, ErrorCode code) {
    return Failures.of(new MasterException(status, code, "master: " + status), "http://m");
  }

  @Test
  void everyCodeOfTheMasterMapsToAnS3ErrorOfItsKind() {
    for (ErrorCode code : ErrorCode.values()) {
      S3Error e = fromMaster(code.status(), code);
      if (code == ErrorCode.METHOD_NOT_ALLOWED) {
        assertEquals("InternalError", e.code(), "a method the master refuses is our bug");
        continue;
      }
      assertNotEquals("InternalError", e.code(), code.code());
      assertEquals(code.status() >= 500, e.status() >= 500, code.code() + " -> " + e.code());
    }
  }

  @Test
  void theCodeDecidesNotTheMessage() {
    assertEquals("BadDigest", fromMaster(400, ErrorCode.BAD_DIGEST).code());
    assertEquals("InvalidDigest", fromMaster(400, ErrorCode.INVALID_DIGEST).code());
    assertEquals("OperationAborted", fromMaster(409, ErrorCode.KEY_BUSY).code());
    assertEquals("AccessDenied", fromMaster(403, ErrorCode.FORBIDDEN).code());
    S3Error tooLong = fromMaster(414, ErrorCode.TOO_LONG);
    assertEquals(400, tooLong.status());
    assertEquals("KeyTooLongError", tooLong.code());
    assertEquals(507, fromMaster(507, ErrorCode.VOLUME_FULL).status());
    assertEquals("ServiceUnavailable", fromMaster(504, ErrorCode.VOLUME_TIMEOUT).code());
    // the text the master happens to write says nothing: a 400 that mentions Content-MD5 is what
    // its code says
    S3Error e =
        Failures.of(
            new MasterException(
                400, ErrorCode.BAD_META, "master: 400 the body's md5 does not match Content-MD5"),
            "http://m");
    assertEquals("InvalidArgument", e.code());
  }

  @Test
  void anAnswerWithoutACodeIsReadByItsStatusAndNeverAnInternalError() {
    Map<Integer, String> expected =
        Map.of(
            400, "InvalidArgument",
            403, "AccessDenied",
            404, "NoSuchKey",
            409, "OperationAborted",
            411, "MissingContentLength",
            414, "KeyTooLongError",
            507, "InsufficientStorage",
            503, "ServiceUnavailable",
            418, "InvalidArgument");
    expected.forEach(
        (status, code) -> assertEquals(code, fromMaster(status, null).code(), "" + status));
  }
}
