package dev.atrium.rbac;

import dev.atrium.users.Profile;
import dev.atrium.users.User;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a user may do and who they are, in one query: effective permissions are the union over
 * active, unexpired grants of active roles (superusers hold all), read with the account and
 * profile so that a cached {@code AccessState} also answers "who am I" without another query.
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
               WHERE ur.user_id = u.id AND ur.expires_at > now()) AS next_expiry
        FROM users u LEFT JOIN user_profiles pr ON pr.user_id = u.id WHERE u.id = $1
      """;

  private final Pool pool;

  public AccessRepository(Pool pool) {
    this.pool = pool;
  }

  /** The account as the caller sees it, and what it may do. */
  public record EffectiveAccess(User user, Profile profile, List<String> permissions, List<String> roles,
                                OffsetDateTime nextExpiry) {
  }

  public Future<Optional<EffectiveAccess>> effective(UUID userId) {
    return pool.preparedQuery(EFFECTIVE).execute(Tuple.of(userId)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      return Optional.of(new EffectiveAccess(User.from(r), Profile.from(r),
          List.of(r.getArrayOfStrings("permissions")), List.of(r.getArrayOfStrings("roles")),
          r.getOffsetDateTime("next_expiry")));
    });
  }
}
