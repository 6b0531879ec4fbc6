package mkv.s3.auth;

import java.util.List;
import java.util.Map;

/**
 * What a signature covers: the method, the path and query exactly as sent, and the headers.
 *
 * @param headers every header, names in lower case, values in the order received
 */
public record SignedRequest(
    String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {

  /** The first value of a header (name in lower case), or null. */
  public String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
