package dev.atrium.access;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a user may do and who they are, in one query: effective permissions are the union over
 * active, unexpired grants of active roles (superusers hold all), read with the account, the
 * profile and the revocations (the user's {@code tokens_valid_after} and the sessions revoked
 * recently enough for their access tokens to be unexpired), so that a cached {@code AccessState}
 * answers "who am I" and "is this token void" without another query.
 */
public final class AccessRepository {
  private static final String EFFECTIVE = """
      SELECT\s""" + User.COLUMNS + ", " + Profile.COLUMNS + """
             ,
             CASE WHEN u.is_superuser THEN (SELECT coalesce(array_agg(codename ORDER BY codename), '{}') FROM permissions)
                  ELSE coalesce((SELECT array_agg(DISTINCT p.codename ORDER BY p.codename)
                                   FROM user_roles ur
                                   JOIN roles r ON r.id = ur.role_id AND r.is_active
                                   JOIN role_permissions rp ON rp.role_id = r.id
                                   JOIN permissions p ON p.id = rp.permission_id
                                  WHERE ur.user_id = u.id AND (ur.expires_at IS NULL OR ur.expires_at > now())), '{}')
             END AS permissions,
             coalesce((SELECT array_agg(r.name ORDER BY r.name)
                         FROM user_roles ur JOIN roles r ON r.id = ur.role_id AND r.is_active
                        WHERE ur.user_id = u.id AND (ur.expires_at IS NULL OR ur.expires_at > now())), '{}') AS roles,
             (SELECT min(ur.expires_at) FROM user_roles ur
               WHERE ur.user_id = u.id AND ur.expires_at > now()) AS next_expiry,
             u.tokens_valid_after,
             coalesce((SELECT array_agg(s.id::text) FROM sessions s
                        WHERE s.user_id = u.id AND s.revoked_at > now() - make_interval(secs => $2)), '{}')
               AS revoked_sessions
        FROM users u LEFT JOIN user_profiles pr ON pr.user_id = u.id WHERE u.id = $1
      """;

  private final SqlClient statements;
  private final double accessTtlSeconds;

  /** {@code accessTtl}: a session revoked longer ago than this has no unexpired access token left. */
  public AccessRepository(SqlClient statements, java.time.Duration accessTtl) {
    this.statements = statements;
    this.accessTtlSeconds = accessTtl.toSeconds() + 60;
  }

  /** The account as the caller sees it, what it may do, and which of its tokens are void. */
  public record EffectiveAccess(User user, Profile profile, List<String> permissions, List<String> roles,
                                OffsetDateTime nextExpiry, long notBeforeMs, Set<String> revokedSessions) {
  }

  /** An API key as its authenticator needs it (never the secret). */
  public record StoredKey(UUID id, UUID userId, List<String> scopes, OffsetDateTime createdAt,
                          OffsetDateTime expiresAt, OffsetDateTime revokedAt) {
    boolean usable() {
      return revokedAt == null && (expiresAt == null || expiresAt.isAfter(OffsetDateTime.now()));
    }
  }

  public Future<Optional<EffectiveAccess>> effective(UUID userId) {
    return statements.preparedQuery(EFFECTIVE).execute(Tuple.of(userId, accessTtlSeconds)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      OffsetDateTime validAfter = r.getOffsetDateTime("tokens_valid_after");
      return Optional.of(new EffectiveAccess(User.from(r), Profile.from(r),
          List.of(r.getArrayOfStrings("permissions")), List.of(r.getArrayOfStrings("roles")),
          r.getOffsetDateTime("next_expiry"), validAfter == null ? 0 : validAfter.toInstant().toEpochMilli(),
          Set.of(r.getArrayOfStrings("revoked_sessions"))));
    });
  }

  /**
   * Every access token and API key of the user issued up to {@code atMs} stops working. Runs in
   * the caller's transaction when it has one, so the mark commits with the change that needs it.
   */
  public static Future<Void> voidCredentials(SqlClient client, UUID userId, long atMs) {
    return client.preparedQuery("UPDATE users SET tokens_valid_after = greatest(tokens_valid_after, $2) WHERE id = $1")
        .execute(Tuple.of(userId, OffsetDateTime.ofInstant(Instant.ofEpochMilli(atMs), ZoneOffset.UTC))).mapEmpty();
  }

  Future<Void> voidCredentials(UUID userId, long atMs) {
    return voidCredentials(statements, userId, atMs);
  }

  Future<Optional<StoredKey>> findKey(byte[] hash) {
    return statements.preparedQuery("SELECT id, user_id, permissions, created_at, expires_at, revoked_at FROM api_keys"
            + " WHERE key_hash = $1")
        .execute(Tuple.of(Buffer.buffer(hash)))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new StoredKey(r.getUUID("id"), r.getUUID("user_id"),
              List.of(r.getArrayOfStrings("permissions")), r.getOffsetDateTime("created_at"),
              r.getOffsetDateTime("expires_at"), r.getOffsetDateTime("revoked_at")));
        });
  }

  Future<Void> touchKey(UUID id) {
    return statements.preparedQuery("UPDATE api_keys SET last_used_at = now() WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }
}
