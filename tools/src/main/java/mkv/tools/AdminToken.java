package mkv.tools;

import okhttp3.Request;

/**
 * Signs a tool's request to a master's admin endpoint with {@code MKV_ADMIN_TOKEN}, when it is set.
 */
public final class AdminToken {
  private AdminToken() {}

  public static Request.Builder sign(Request.Builder request) {
    String token = System.getenv("MKV_ADMIN_TOKEN");
    return token == null || token.isEmpty()
        ? request
        : request.header("Authorization", "Bearer " + token);
  }
}
