package dev.atrium.auth;

import dev.atrium.config.AccessSettings;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL on sessions and refresh_tokens. Refresh tokens are stored only as SHA-256 digests. A
 * session lives at most {@code sessionMaxAge} from its creation, however often it is refreshed,
 * and a user has at most {@code maxSessionsPerUser} live sessions: a sign-in beyond that revokes
 * the least recently used. A spent token keeps its successor's digest and, for
 * {@code refreshReuseGrace} after it was spent, the successor sealed under the spent token
 * ({@link SuccessorSeal}).
 */
public final class SessionRepository {
  private final Pool pool;
  private final Duration maxAge;
  private final Duration reuseGrace;
  private final int maxLive;

  public SessionRepository(Pool pool, AccessSettings limits) {
    this.pool = pool;
    this.maxAge = limits.sessionMaxAge();
    this.reuseGrace = limits.refreshReuseGrace();
    this.maxLive = limits.maxSessionsPerUser();
  }

  /** A new session, and how many of the user's older sessions it pushed out (now revoked). */
  public record Started(Session session, long evicted) {
  }

  /** What presenting a refresh token found. */
  public sealed interface Rotation {
    record Rotated(Session session) implements Rotation {
    }

    /** The token was already spent: its whole session has now been revoked. */
    record Reused(UUID userId, UUID sessionId) implements Rotation {
    }

    /**
     * The token was spent within the reuse grace and its successor is still unused: the same
     * successor, sealed under the presented token, is handed back again.
     */
    record Replayed(Session session, byte[] sealedSuccessor) implements Rotation {
    }

    record Invalid() implements Rotation {
    }
  }

  /**
   * Starts a session with its first refresh token. In the same statement, the user's live
   * sessions beyond the newest {@code maxSessionsPerUser - 1} (by last use) are revoked, so
   * sign-ins in a loop neither grow a user's sessions without bound nor its session list.
   */
  public Future<Started> create(UUID userId, byte[] tokenHash, Duration ttl, String ip, String userAgent) {
    OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(ttl.compareTo(maxAge) < 0 ? ttl : maxAge);
    return pool.preparedQuery("""
            WITH s AS (
              INSERT INTO sessions (user_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4) RETURNING *),
            t AS (INSERT INTO refresh_tokens (token_hash, session_id, expires_at) SELECT $5, id, $2 FROM s),
            evicted AS (
              UPDATE sessions SET revoked_at = now() WHERE id IN (
                SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
                ORDER BY last_used_at DESC, created_at DESC OFFSET $6)
              RETURNING id)
            SELECT (SELECT count(*) FROM evicted) AS evicted, \s""" + Session.COLUMNS + " FROM s")
        .execute(Tuple.of(userId, expires, ip, userAgent, Buffer.buffer(tokenHash), maxLive - 1))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Started(Session.from(r), r.getLong("evicted"));
        });
  }

  /**
   * Spends {@code presented} and stores {@code next} in its place, with {@code sealedNext} for a
   * retry. Run it in a transaction: it holds the session's and the token's row locks, so two
   * concurrent uses of one token cannot both succeed, and a retry is judged after the rotation
   * it retries has committed. A spent token presented again within the reuse grace, while its
   * successor is unused, is a client retrying a refresh whose answer it lost; any other reuse
   * means two holders of one token, and revokes the session.
   */
  public Future<Rotation> rotate(SqlConnection conn, byte[] presented, byte[] next, byte[] sealedNext, Duration ttl,
                                 String ip, String userAgent) {
    return conn.preparedQuery(
            "SELECT t.used_at, t.expires_at AS token_expires, t.successor_hash, t.successor_sealed,"
                + " t.used_at > now() - make_interval(secs => $2) AS within_grace, s.revoked_at, " + Session.COLUMNS
                + " FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
                + " WHERE t.token_hash = $1 FOR UPDATE OF t, s")
        .execute(Tuple.of(Buffer.buffer(presented), reuseGrace.toMillis() / 1000.0))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(new Rotation.Invalid());
          }
          Row r = rows.iterator().next();
          Session s = Session.from(r);
          OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
          OffsetDateTime end = s.createdAt().plus(maxAge);
          if (r.getOffsetDateTime("revoked_at") != null || r.getOffsetDateTime("token_expires").isBefore(now)
              || !end.isAfter(now)) { // revoked, expired, or past the session's absolute lifetime
            return Future.succeededFuture(new Rotation.Invalid());
          }
          if (r.getOffsetDateTime("used_at") != null) {
            return Boolean.TRUE.equals(r.getBoolean("within_grace")) && r.getBuffer("successor_sealed") != null
                ? replayOrRevoke(conn, s, r.getBuffer("successor_hash"), r.getBuffer("successor_sealed"))
                : revokeReused(conn, s);
          }
          OffsetDateTime expires = now.plus(ttl);
          return spendAndReplace(conn, s, presented, next, sealedNext, expires.isBefore(end) ? expires : end, ip,
              userAgent);
        });
  }

  /**
   * A spent token within the grace: its successor is handed back only while nobody has used it.
   * This statement sees every rotation committed before the session's row lock was granted, and
   * none can commit while it is held, so a successor spent meanwhile is seen as spent.
   */
  private Future<Rotation> replayOrRevoke(SqlConnection conn, Session s, Buffer successorHash, Buffer sealed) {
    return conn.preparedQuery("SELECT 1 FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NULL"
            + " AND expires_at > now()")
        .execute(Tuple.of(successorHash))
        .compose(rows -> rows.size() == 1
            ? Future.<Rotation>succeededFuture(new Rotation.Replayed(s, sealed.getBytes()))
            : revokeReused(conn, s));
  }

  private Future<Rotation> revokeReused(SqlConnection conn, Session s) {
    return revoke(conn, s.id()).map(v -> new Rotation.Reused(s.userId(), s.id()));
  }

  private Future<Rotation> spendAndReplace(SqlConnection conn, Session s, byte[] presented, byte[] next,
                                           byte[] sealedNext, OffsetDateTime expires, String ip, String userAgent) {
    return conn.preparedQuery("UPDATE refresh_tokens SET used_at = now(), successor_hash = $2, successor_sealed = $3"
            + " WHERE token_hash = $1")
        .execute(Tuple.of(Buffer.buffer(presented), Buffer.buffer(next),
            reuseGrace.isZero() ? null : Buffer.buffer(sealedNext)))
        .compose(v -> conn.preparedQuery("INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)")
            .execute(Tuple.of(Buffer.buffer(next), s.id(), expires)))
        .compose(v -> conn.preparedQuery("UPDATE sessions s SET last_used_at = now(), expires_at = $2, ip = $3,"
                + " user_agent = $4 WHERE id = $1 RETURNING " + Session.COLUMNS)
            .execute(Tuple.of(s.id(), expires, ip, userAgent)))
        .map(rows -> new Rotation.Rotated(Session.from(rows.iterator().next())));
  }

  private Future<Void> revoke(SqlConnection conn, UUID sessionId) {
    return conn.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(sessionId)).mapEmpty();
  }

  /** The session a refresh token belongs to, if it is still live. */
  public Future<Optional<Session>> findLiveByToken(byte[] tokenHash) {
    return pool.preparedQuery("SELECT " + Session.COLUMNS + " FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
            + " WHERE t.token_hash = $1 AND s.revoked_at IS NULL")
        .execute(Tuple.of(Buffer.buffer(tokenHash)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Session.from(rows.iterator().next())));
  }

  /** When the session was signed in (its creation), if it exists and is live. */
  public Future<Optional<OffsetDateTime>> signedInAt(UUID userId, UUID sessionId) {
    return pool.preparedQuery("SELECT created_at FROM sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .execute(Tuple.of(sessionId, userId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getOffsetDateTime("created_at")));
  }

  /** Revokes one of the user's live sessions; false when there is no such live session of theirs. */
  public Future<Boolean> revoke(UUID userId, UUID sessionId) {
    return pool.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .execute(Tuple.of(sessionId, userId))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Revokes every live session of the user except {@code keep} (may be null), in the caller's transaction. */
  public static Future<Integer> revokeAll(SqlClient client, UUID userId, UUID keep) {
    return client.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"
            + " AND ($2::uuid IS NULL OR id <> $2)")
        .execute(Tuple.of(userId, keep))
        .map(RowSet::rowCount);
  }

  public Future<List<Session>> listLive(UUID userId) {
    return pool.preparedQuery("SELECT " + Session.COLUMNS + " FROM sessions s WHERE s.user_id = $1"
            + " AND s.revoked_at IS NULL AND s.expires_at > now() ORDER BY s.last_used_at DESC")
        .execute(Tuple.of(userId))
        .map(rows -> {
          List<Session> list = new ArrayList<>();
          rows.forEach(r -> list.add(Session.from(r)));
          return list;
        });
  }

  /**
   * Housekeeping: drops sessions whose refresh tokens can no longer be used. A revoked session
   * is kept while access tokens of it may be unexpired ({@code keepRevoked}): the access-state
   * loader reads the revocation from it.
   */
  public Future<Void> deleteExpired(Duration keepRevoked) {
    return pool.preparedQuery("DELETE FROM sessions WHERE expires_at < now() - interval '1 day'"
            + " OR revoked_at < now() - make_interval(secs => $1)")
        .execute(Tuple.of((double) Math.max(86_400, keepRevoked.toSeconds() + 3_600))).mapEmpty();
  }

  /** Housekeeping: drops the sealed successors of tokens spent longer ago than the reuse grace. */
  public Future<Integer> forgetSealedSuccessors() {
    return pool.preparedQuery("UPDATE refresh_tokens SET successor_sealed = NULL WHERE successor_sealed IS NOT NULL"
            + " AND used_at <= now() - make_interval(secs => $1)")
        .execute(Tuple.of(reuseGrace.toMillis() / 1000.0))
        .map(RowSet::rowCount);
  }
}
