package dev.atrium.users;

import dev.atrium.access.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** SQL of the users administration: admin edits, deletion, bulk import and the export cursor. */
public final class UsersAdminRepository {
  /** Columns an admin may change, by JSON name; the only names that reach SQL. */
  static final List<String> ADMIN_EDITABLE = List.of("email", "username", "first_name", "last_name", "phone", "avatar",
      "department", "position", "is_active", "is_staff", "is_superuser", "is_verified");

  private static final String EXPORT = "SELECT " + User.COLUMNS.replace("u.password_hash", "NULL::text AS password_hash")
      + " FROM users u ORDER BY u.created_at, u.id";

  private final Pool pool;

  public UsersAdminRepository(Pool pool) {
    this.pool = pool;
  }

  public record ImportRow(String email, String username, String passwordHash, String firstName, String lastName,
                          String phone, String department, String position, boolean active, boolean staff,
                          boolean superuser, boolean verified, OffsetDateTime createdAt) {
  }

  /** Locks the user row for the rest of the transaction. */
  public Future<Optional<User>> lock(SqlClient tx, UUID id) {
    return tx.preparedQuery("SELECT " + User.COLUMNS + " FROM users u WHERE u.id = $1 FOR UPDATE").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(User.from(rows.iterator().next())));
  }

  /** Active superusers, locked, so that two requests cannot both remove "the other" last one. */
  public Future<List<UUID>> lockActiveSuperusers(SqlClient tx) {
    return tx.query("SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id FOR UPDATE").execute()
        .map(rows -> {
          List<UUID> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getUUID("id")));
          return ids;
        });
  }

  /** Names of the roles the user holds through live grants. */
  public Future<List<String>> roleNames(SqlClient c, UUID id) {
    return c.preparedQuery("SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1"
            + " AND r.is_active AND (ur.expires_at IS NULL OR ur.expires_at > now()) ORDER BY r.name")
        .execute(Tuple.of(id)).map(rows -> {
          List<String> names = new ArrayList<>();
          rows.forEach(r -> names.add(r.getString("name")));
          return names;
        });
  }

  public Future<User> insert(SqlClient tx, ImportRow n) {
    return tx.preparedQuery("""
            WITH u AS (
              INSERT INTO users (email, username, password_hash, first_name, last_name, phone, department, position,
                                 is_active, is_staff, is_superuser, is_verified)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *),
            p AS (INSERT INTO user_profiles (user_id) SELECT id FROM u)
            SELECT\s""" + User.COLUMNS + " FROM u")
        .execute(Tuple.from(new Object[] {n.email(), n.username(), n.passwordHash(), n.firstName(), n.lastName(),
            n.phone(), n.department(), n.position(), n.active(), n.staff(), n.superuser(), n.verified()}))
        .map(rows -> User.from(rows.iterator().next()));
  }

  /** Applies admin-editable fields (keys from {@link #ADMIN_EDITABLE}) and optionally a new hash. */
  public Future<User> update(SqlClient tx, UUID id, JsonObject fields, String newHash) {
    List<Object> values = new ArrayList<>();
    values.add(id);
    StringBuilder set = new StringBuilder();
    for (String field : ADMIN_EDITABLE) {
      if (fields.containsKey(field)) {
        values.add(fields.getValue(field));
        set.append(field).append(" = $").append(values.size()).append(", ");
      }
    }
    if (newHash != null) {
      values.add(newHash);
      set.append("password_hash = $").append(values.size()).append(", ");
    }
    return tx.preparedQuery("UPDATE users u SET " + set + "updated_at = now() WHERE u.id = $1 RETURNING " + User.COLUMNS)
        .execute(Tuple.from(values)).map(rows -> User.from(rows.iterator().next()));
  }

  /** Deletes the user; sessions, grants, profile and API keys go with it (ON DELETE CASCADE). */
  public Future<Void> delete(SqlClient tx, UUID id) {
    return tx.preparedQuery("DELETE FROM users WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Which of these emails and usernames exist already (lower-cased). */
  public Future<Map<String, Set<String>>> existing(SqlClient c, List<String> emails, List<String> usernames) {
    return c.preparedQuery("SELECT lower(email) AS e, lower(username) AS n FROM users"
            + " WHERE lower(email) = ANY($1) OR lower(username) = ANY($2)")
        .execute(Tuple.tuple().addValue(emails.toArray(new String[0])).addValue(usernames.toArray(new String[0])))
        .map(rows -> {
          Set<String> e = new HashSet<>();
          Set<String> n = new HashSet<>();
          rows.forEach(r -> {
            e.add(r.getString("e"));
            n.add(r.getString("n"));
          });
          return Map.of("emails", e, "usernames", n);
        });
  }

  /**
   * Inserts all rows with one set-based statement each for users, profiles and audit entries.
   * Emails that appeared meanwhile are skipped (ON CONFLICT); returns the created (id, email).
   */
  public Future<List<Map.Entry<UUID, String>>> insertAll(SqlClient tx, List<ImportRow> rows, UUID actor, String ip) {
    int n = rows.size();
    String[][] text = new String[8][n];
    Boolean[][] flags = new Boolean[4][n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      ImportRow r = rows.get(i);
      text[0][i] = r.email();
      text[1][i] = r.username();
      text[2][i] = r.passwordHash();
      text[3][i] = r.firstName();
      text[4][i] = r.lastName();
      text[5][i] = r.phone();
      text[6][i] = r.department();
      text[7][i] = r.position();
      flags[0][i] = r.active();
      flags[1][i] = r.staff();
      flags[2][i] = r.superuser();
      flags[3][i] = r.verified();
      created[i] = r.createdAt();
    }
    return tx.preparedQuery("""
            WITH u AS (
              INSERT INTO users (email, username, password_hash, first_name, last_name, phone, department, position,
                                 is_active, is_staff, is_superuser, is_verified, created_at)
              SELECT e, n, h, f, l, ph, d, po, a, s, su, v, coalesce(c, now())
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::bool[], $10::bool[], $11::bool[], $12::bool[], $13::timestamptz[])
                     AS t(e, n, h, f, l, ph, d, po, a, s, su, v, c)
              ON CONFLICT DO NOTHING
              RETURNING id, email),
            p AS (INSERT INTO user_profiles (user_id) SELECT id FROM u),
            a AS (INSERT INTO audit_log (actor_id, action, target_type, target_id, changes, ip)
                  SELECT $14, 'user.import', 'user', id::text, jsonb_build_object('email', email), $15 FROM u)
            SELECT id, email FROM u""")
        .execute(Tuple.from(new Object[] {text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7],
            flags[0], flags[1], flags[2], flags[3], created, actor, ip}))
        .map(result -> {
          List<Map.Entry<UUID, String>> out = new ArrayList<>();
          result.forEach(r -> out.add(Map.entry(r.getUUID("id"), r.getString("email"))));
          return out;
        });
  }

  /**
   * A server-side cursor over every user (no password hashes) in the caller's transaction,
   * which it makes read-only (so it must be the transaction's first statement); rows are read
   * 500 ahead, as fast as the stream is consumed.
   */
  public Future<RowStream<Row>> streamAll(SqlConnection tx) {
    return tx.query("SET TRANSACTION READ ONLY").execute()
        .compose(v -> tx.prepare(EXPORT))
        .map(ps -> ps.createStream(500));
  }
}
