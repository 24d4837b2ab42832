package dev.atrium.auth;

import dev.atrium.users.Profile;
import dev.atrium.users.User;
import java.util.List;
import java.util.Set;

/**
 * Who a user is and what they may do right now, as every request sees it: the account and
 * profile, whether it is active,
 * which access tokens are void (issued before {@code notBeforeMs}, or of a revoked session),
 * and the effective permissions and role names. Cached per node for a fraction of a second.
 */
public record AccessState(
    String userId,
    User user,
    Profile profile,
    long notBeforeMs,
    Set<String> revokedSessions,
    Set<String> permissions,
    List<String> roles,
    long validUntilMs) {

  public boolean active() {
    return user.active();
  }

  public boolean superuser() {
    return user.superuser();
  }

  public boolean accepts(long issuedAtMs, String sessionId) {
    return active() && issuedAtMs > notBeforeMs && (sessionId == null || !revokedSessions.contains(sessionId));
  }

  public boolean has(String permission) {
    return superuser() || permissions.contains(permission);
  }
}
