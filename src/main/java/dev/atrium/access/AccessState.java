package dev.atrium.access;

import java.util.List;
import java.util.Set;

/**
 * Who a user is and what they may do right now, as every request sees it: the account and
 * profile, whether it is active,
 * which access tokens are void (issued before {@code notBeforeMs}, or of a revoked session:
 * both read from PostgreSQL, so no Redis loss revives them), and the effective permissions and
 * role names. Cached per node for a fraction of a second.
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

  /** An API key created at this time still works: it was made after the last "void every credential" mark. */
  public boolean acceptsKeyCreatedAt(long createdAtMs) {
    return active() && createdAtMs > notBeforeMs;
  }

  /** Held by the owner (superusers hold all); callers ask {@link Caller#may}, which also applies key scopes. */
  boolean has(String permission) {
    return superuser() || permissions.contains(permission);
  }
}
