package dev.atrium.access;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A user account row, without profile. {@code passwordHash} never leaves the server. */
public record User(
    UUID id, String email, String username, String passwordHash, String firstName, String lastName,
    String phone, String avatar, String department, String position,
    boolean active, boolean staff, boolean superuser, boolean verified,
    OffsetDateTime lastLogin, String lastLoginIp, OffsetDateTime createdAt, OffsetDateTime updatedAt,
    boolean mfaEnabled) {

  public static final String COLUMNS = "u.id, u.email, u.username, u.password_hash, u.first_name, u.last_name, u.phone,"
      + " u.avatar, u.department, u.position, u.is_active, u.is_staff, u.is_superuser, u.is_verified,"
      + " u.last_login, u.last_login_ip, u.created_at, u.updated_at, u.mfa_enabled";

  public static User from(Row r) {
    return new User(r.getUUID("id"), r.getString("email"), r.getString("username"), r.getString("password_hash"),
        r.getString("first_name"), r.getString("last_name"), r.getString("phone"), r.getString("avatar"),
        r.getString("department"), r.getString("position"), r.getBoolean("is_active"), r.getBoolean("is_staff"),
        r.getBoolean("is_superuser"), r.getBoolean("is_verified"), r.getOffsetDateTime("last_login"),
        r.getString("last_login_ip"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
        r.getBoolean("mfa_enabled"));
  }

  /** The public JSON shape the existing client reads. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("email", email)
        .put("username", username)
        .put("first_name", firstName)
        .put("last_name", lastName)
        .put("phone", phone)
        .put("avatar", avatar)
        .put("department", department)
        .put("position", position)
        .put("is_active", active)
        .put("is_staff", staff)
        .put("is_superuser", superuser)
        .put("is_verified", verified)
        .put("mfa_enabled", mfaEnabled)
        .put("last_login", Timestamps.format(lastLogin))
        .put("last_login_ip", lastLoginIp)
        .put("created_at", Timestamps.format(createdAt))
        .put("updated_at", Timestamps.format(updatedAt));
  }
}
