package dev.atrium.auth;

import dev.atrium.access.Profile;
import dev.atrium.access.User;
import dev.atrium.problem.Problem;
import dev.atrium.db.SqlStates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL on users and user_profiles: accounts as their owners and sign-in see them. */
public final class UserRepository {
  /** Columns a user may change on themselves, mapped from their JSON names. */
  public static final Map<String, String> SELF_EDITABLE = Map.of(
      "first_name", "first_name", "last_name", "last_name", "phone", "phone", "avatar", "avatar",
      "department", "department", "position", "position", "username", "username");
  public static final List<String> PROFILE_FIELDS = List.of(
      "bio", "birth_date", "location", "website", "social_links", "preferences");

  private final Pool pool;

  public UserRepository(Pool pool) {
    this.pool = pool;
  }

  public record UserWithProfile(User user, Profile profile) {
  }

  public record NewUser(String email, String username, String passwordHash, String firstName, String lastName,
                        boolean staff, boolean superuser, boolean verified) {
  }

  /** A unique violation on users becomes 409 email_taken or username_taken; other failures pass through. */
  public static <T> Future<T> explainConflict(Throwable t) {
    if (SqlStates.isUniqueViolation(t, "users_email_key")) {
      return Future.failedFuture(Problem.conflict("email_taken", "/email", "An account with this email already exists"));
    }
    if (SqlStates.isUniqueViolation(t, "users_username_key")) {
      return Future.failedFuture(Problem.conflict("username_taken", "/username", "This username is taken"));
    }
    return Future.failedFuture(t);
  }

  public Future<Optional<User>> findByEmail(String email) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM users u WHERE lower(u.email) = lower($1)")
        .execute(Tuple.of(email))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(User.from(rows.iterator().next())));
  }

  public Future<Optional<User>> findById(UUID id) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM users u WHERE u.id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(User.from(rows.iterator().next())));
  }

  public Future<Optional<UserWithProfile>> findWithProfile(UUID id) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + ", " + Profile.COLUMNS
            + " FROM users u LEFT JOIN user_profiles pr ON pr.user_id = u.id WHERE u.id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty()
            : Optional.of(new UserWithProfile(User.from(rows.iterator().next()), Profile.from(rows.iterator().next()))));
  }

  /** Inserts the user and an empty profile in one statement; unique violations name the index. */
  public Future<User> insert(NewUser n) {
    return pool.preparedQuery("""
            WITH u AS (
              INSERT INTO users (email, username, password_hash, first_name, last_name, is_staff, is_superuser, is_verified)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *),
            p AS (INSERT INTO user_profiles (user_id) SELECT id FROM u)
            SELECT \s""" + User.COLUMNS + " FROM u")
        .execute(Tuple.from(List.of(n.email(), n.username(), n.passwordHash(), n.firstName(), n.lastName(),
            n.staff(), n.superuser(), n.verified())))
        .map(rows -> User.from(rows.iterator().next()));
  }

  public Future<Void> recordLogin(UUID id, String ip, String upgradedHash) {
    return pool.preparedQuery("UPDATE users SET last_login = now(), last_login_ip = $2,"
            + " password_hash = coalesce($3, password_hash) WHERE id = $1")
        .execute(Tuple.of(id, ip, upgradedHash)).mapEmpty();
  }

  public static Future<Void> updatePassword(SqlClient client, UUID id, String hash) {
    return client.preparedQuery("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(id, hash)).mapEmpty();
  }

  public Future<Boolean> anySuperuser() {
    return pool.query("SELECT EXISTS (SELECT 1 FROM users WHERE is_superuser) AS e").execute()
        .map(rows -> rows.iterator().next().getBoolean("e"));
  }

  /**
   * Applies the given own-account fields and profile fields (run it in a transaction). Keys must
   * come from {@link #SELF_EDITABLE} and {@link #PROFILE_FIELDS}: they are the only names that
   * reach SQL.
   */
  public static Future<Void> updateSelf(SqlConnection conn, UUID id, JsonObject userFields, JsonObject profileFields) {
    Future<?> step = Future.succeededFuture();
    if (!userFields.isEmpty()) {
      List<Object> values = new ArrayList<>();
      values.add(id);
      StringBuilder set = new StringBuilder();
      for (String field : userFields.fieldNames()) {
        values.add(userFields.getValue(field));
        set.append(SELF_EDITABLE.get(field)).append(" = $").append(values.size()).append(", ");
      }
      String sql = "UPDATE users SET " + set + "updated_at = now() WHERE id = $1";
      step = conn.preparedQuery(sql).execute(Tuple.from(values));
    }
    if (!profileFields.isEmpty()) {
      List<Object> values = new ArrayList<>();
      values.add(id);
      StringBuilder cols = new StringBuilder();
      StringBuilder params = new StringBuilder();
      StringBuilder set = new StringBuilder();
      for (String field : profileFields.fieldNames()) {
        Object v = profileFields.getValue(field);
        set.append(set.isEmpty() ? "" : ", ");
        if (v instanceof JsonObject map) {
          // social_links, preferences: a JSON merge patch one level deep (see ProfilePatch in
          // the contract), so a client that always sends {} erases nothing
          JsonObject kept = new JsonObject();
          List<String> removed = new ArrayList<>();
          map.forEach(e -> {
            if (e.getValue() == null) {
              removed.add(e.getKey());
            } else {
              kept.put(e.getKey(), e.getValue());
            }
          });
          values.add(removed.toArray(new String[0]));
          set.append(field).append(" = (user_profiles.").append(field).append(" || EXCLUDED.").append(field)
              .append(") - $").append(values.size()).append("::text[]");
          values.add(kept);
        } else {
          values.add("birth_date".equals(field) && v != null ? LocalDate.parse((String) v) : v);
          set.append(field).append(" = EXCLUDED.").append(field);
        }
        cols.append(", ").append(field);
        params.append(", $").append(values.size());
      }
      String sql = "INSERT INTO user_profiles (user_id" + cols + ") VALUES ($1" + params + ")"
          + " ON CONFLICT (user_id) DO UPDATE SET " + set;
      step = step.compose(r -> conn.preparedQuery(sql).execute(Tuple.from(values)));
    }
    return step.mapEmpty();
  }
}
