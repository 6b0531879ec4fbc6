package mkv.master;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import mkv.http.ErrorCode;
import mkv.http.HttpError;

/**
 * Admin endpoints change the cluster ({@code POST /_verify?repair}, {@code POST /_rebalance}): they
 * answer clients on the master's own host, and others only with {@code --admin-token}, sent as
 * {@code Authorization: Bearer TOKEN}.
 */
final class AdminGuard {
  private final byte[] expected; // "Bearer TOKEN", or null when no token is set

  AdminGuard(String token) {
    this.expected =
        token == null || token.isEmpty()
            ? null
            : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @throws HttpError 403 saying why, when the request may not use an admin endpoint
   */
  void check(HttpServerExchange exchange) {
    InetSocketAddress peer = exchange.getSourceAddress();
    String why =
        refusal(
            peer == null ? null : peer.getAddress(),
            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
    if (why != null) {
      throw new HttpError(ErrorCode.FORBIDDEN, why);
    }
  }

  /**
   * Why a client at {@code from} with that Authorization header is refused, or null when it is not.
   */
  String refusal(InetAddress from, String authorization) {
    if (from != null && from.isLoopbackAddress()) {
      return null;
    }
    if (expected == null) {
      return "admin endpoints answer clients on the master's host only; start the master with"
          + " --admin-token (or MKV_ADMIN_TOKEN) to allow others";
    }
    byte[] given =
        authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, given)) { // constant time: no guessing byte by byte
      return "admin endpoints need 'Authorization: Bearer TOKEN' with the master's --admin-token";
    }
    return null;
  }
}
