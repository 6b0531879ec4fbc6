package mkv.master;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Who may use the admin endpoints: the master's host always; others only with the token. */
class AdminGuardTest {
  @Test
  void loopbackAlwaysOthersOnlyWithTheToken() throws Exception {
    InetAddress local = InetAddress.getByName("127.0.0.2");
    InetAddress remote = InetAddress.getByName("10.1.2.3");
    AdminGuard open = new AdminGuard(null);
    assertNull(open.refusal(local, null));
    assertNull(open.refusal(InetAddress.getByName("::1"), null));
    assertTrue(open.refusal(remote, "Bearer anything").contains("--admin-token"));

    AdminGuard guarded = new AdminGuard("s3cret");
    assertNull(guarded.refusal(local, null));
    assertNull(guarded.refusal(remote, "Bearer s3cret"));
    assertNotNull(guarded.refusal(remote, "Bearer s3cre"));
    assertNotNull(guarded.refusal(remote, null));
  }
}
