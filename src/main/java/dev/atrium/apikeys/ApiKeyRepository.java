package dev.atrium.apikeys;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL on api_keys. */
public final class ApiKeyRepository {
  private final Pool pool;

  public ApiKeyRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<ApiKey> insert(SqlClient tx, UUID userId, String name, byte[] hash, String prefix, List<String> permissions,
                               OffsetDateTime expiresAt) {
    return tx.preparedQuery("INSERT INTO api_keys (user_id, name, key_hash, key_prefix, permissions, expires_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + ApiKey.COLUMNS)
        .execute(Tuple.of(userId, name, Buffer.buffer(hash), prefix,
            permissions.toArray(new String[0]), expiresAt))
        .map(rows -> ApiKey.from(rows.iterator().next()));
  }

  /**
   * The caller's keys that are not revoked, newest first (expired ones included, marked); keys
   * voided with the owner's other credentials (logout-all, password change) are left out.
   */
  public Future<List<ApiKey>> list(UUID userId) {
    return pool.preparedQuery("SELECT " + ApiKey.COLUMNS + " FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL"
            + " AND created_at > coalesce((SELECT tokens_valid_after FROM users WHERE id = $1), '-infinity')"
            + " ORDER BY created_at DESC")
        .execute(Tuple.of(userId))
        .map(rows -> {
          List<ApiKey> out = new ArrayList<>();
          rows.forEach(r -> out.add(ApiKey.from(r)));
          return out;
        });
  }

  public Future<Optional<ApiKey>> revoke(SqlClient tx, UUID userId, UUID id) {
    return tx.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"
            + " RETURNING " + ApiKey.COLUMNS)
        .execute(Tuple.of(id, userId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(ApiKey.from(rows.iterator().next())));
  }

}
