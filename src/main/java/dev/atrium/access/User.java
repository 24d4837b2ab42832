package dev.atrium.access;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.IOException;
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
  /** How many columns {@link #COLUMNS} names: the position of the first column after them. */
  public static final int WIDTH = 19;

  public static User from(Row r) {
    return new User(r.getUUID("id"), r.getString("email"), r.getString("username"), r.getString("password_hash"),
        r.getString("first_name"), r.getString("last_name"), r.getString("phone"), r.getString("avatar"),
        r.getString("department"), r.getString("position"), r.getBoolean("is_active"), r.getBoolean("is_staff"),
        r.getBoolean("is_superuser"), r.getBoolean("is_verified"), r.getOffsetDateTime("last_login"),
        r.getString("last_login_ip"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
        r.getBoolean("mfa_enabled"));
  }

  /**
   * The same from a row whose first columns are {@link #COLUMNS}, read by position: a list page
   * reads 20 rows of 19 columns, and each read by name searches the column names.
   */
  public static User fromLeading(Row r) {
    return new User(r.getUUID(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
        r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getBoolean(10), r.getBoolean(11),
        r.getBoolean(12), r.getBoolean(13), r.getOffsetDateTime(14), r.getString(15), r.getOffsetDateTime(16),
        r.getOffsetDateTime(17), r.getBoolean(18));
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

  /** {@link #toJson()}'s object, same fields in the same order, written straight to a generator (no map per row). */
  public void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    string(g, F_ID, id.toString());
    string(g, F_EMAIL, email);
    string(g, F_USERNAME, username);
    string(g, F_FIRST_NAME, firstName);
    string(g, F_LAST_NAME, lastName);
    string(g, F_PHONE, phone);
    string(g, F_AVATAR, avatar);
    string(g, F_DEPARTMENT, department);
    string(g, F_POSITION, position);
    bool(g, F_IS_ACTIVE, active);
    bool(g, F_IS_STAFF, staff);
    bool(g, F_IS_SUPERUSER, superuser);
    bool(g, F_IS_VERIFIED, verified);
    bool(g, F_MFA_ENABLED, mfaEnabled);
    time(g, F_LAST_LOGIN, lastLogin);
    string(g, F_LAST_LOGIN_IP, lastLoginIp);
    time(g, F_CREATED_AT, createdAt);
    time(g, F_UPDATED_AT, updatedAt);
    g.writeEndObject();
  }

  // The field names pre-encoded once: a users page writes 380 of them.
  private static final SerializedString F_ID = new SerializedString("id");
  private static final SerializedString F_EMAIL = new SerializedString("email");
  private static final SerializedString F_USERNAME = new SerializedString("username");
  private static final SerializedString F_FIRST_NAME = new SerializedString("first_name");
  private static final SerializedString F_LAST_NAME = new SerializedString("last_name");
  private static final SerializedString F_PHONE = new SerializedString("phone");
  private static final SerializedString F_AVATAR = new SerializedString("avatar");
  private static final SerializedString F_DEPARTMENT = new SerializedString("department");
  private static final SerializedString F_POSITION = new SerializedString("position");
  private static final SerializedString F_IS_ACTIVE = new SerializedString("is_active");
  private static final SerializedString F_IS_STAFF = new SerializedString("is_staff");
  private static final SerializedString F_IS_SUPERUSER = new SerializedString("is_superuser");
  private static final SerializedString F_IS_VERIFIED = new SerializedString("is_verified");
  private static final SerializedString F_MFA_ENABLED = new SerializedString("mfa_enabled");
  private static final SerializedString F_LAST_LOGIN = new SerializedString("last_login");
  private static final SerializedString F_LAST_LOGIN_IP = new SerializedString("last_login_ip");
  private static final SerializedString F_CREATED_AT = new SerializedString("created_at");
  private static final SerializedString F_UPDATED_AT = new SerializedString("updated_at");

  private static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      g.writeString(value);
    }
  }

  private static void time(JsonGenerator g, SerializedString name, OffsetDateTime value) throws IOException {
    g.writeFieldName(name);
    Timestamps.write(g, value);
  }

  private static void bool(JsonGenerator g, SerializedString name, boolean value) throws IOException {
    g.writeFieldName(name);
    g.writeBoolean(value);
  }
}
