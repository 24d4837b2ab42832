package dev.atrium.auth;

import java.util.List;
import java.util.Set;

/**
 * What one user may do right now, as every request sees it: whether the account is active,
 * which access tokens are void (issued before {@code notBeforeMs}, or of a revoked session),
 * and the effective permissions and role names. Cached per node for a fraction of a second.
 */
public record AccessState(
    String userId,
    boolean active,
    boolean superuser,
    long notBeforeMs,
    Set<String> revokedSessions,
    Set<String> permissions,
    List<String> roles,
    long validUntilMs) {

  public boolean accepts(long issuedAtMs, String sessionId) {
    return active && issuedAtMs > notBeforeMs && (sessionId == null || !revokedSessions.contains(sessionId));
  }

  public boolean has(String permission) {
    return superuser || permissions.contains(permission);
  }
}
