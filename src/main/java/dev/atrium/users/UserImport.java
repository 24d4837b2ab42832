package dev.atrium.users;

import dev.atrium.problem.Problem;
import dev.atrium.auth.Emails;
import dev.atrium.auth.PasswordHashing;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses and checks an import (a JSON array of objects, or CSV with a header row) without
 * touching the database. Every bad row and field is reported, so one round trip shows the
 * whole list of fixes. Columns it does not know (Django's {@code id}, {@code groups}, ...) are
 * ignored. A {@code password} that is already a supported hash (Django pbkdf2_sha256, Argon2id)
 * is kept as is; a plain one is hashed; none leaves the account without a usable password.
 * {@link ImportRecords} reads the body's records; this class checks them.
 */
public final class UserImport {
  public static final int MAX_ROWS = 10_000;
  public static final int MAX_PLAIN_PASSWORDS = 200;
  private static final int MAX_ERRORS = 1_000;
  private static final Pattern USERNAME = Pattern.compile("^[A-Za-z0-9_.@+-]{1,150}$");

  private UserImport() {
  }

  /** One valid row; {@code plainPassword} is set when the service still has to hash it. */
  public record Row(int index, UsersAdminRepository.ImportRow user, String plainPassword) {
  }

  public static List<Row> parse(Buffer body, String contentType, boolean callerIsSuperuser) {
    List<JsonObject> records = ImportRecords.read(body, contentType, MAX_ROWS);
    if (records.isEmpty()) {
      throw Problem.field("validation_failed", "/", "The import holds no users");
    }
    if (records.size() > MAX_ROWS) {
      throw Problem.field("too_many_rows", "/", "At most " + MAX_ROWS + " users per import, got " + records.size());
    }
    JsonArray errors = new JsonArray();
    List<Row> rows = new ArrayList<>();
    Map<String, Integer> emails = new HashMap<>();
    Map<String, Integer> usernames = new HashMap<>();
    int plain = 0;
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i) == null) {
        errors.add(Problem.entry("/" + i, "must be a JSON object"));
        continue;
      }
      Row row = check(i, records.get(i), errors, callerIsSuperuser);
      if (row == null) {
        continue;
      }
      Integer dupe = emails.putIfAbsent(row.user().email().toLowerCase(Locale.ROOT), i);
      if (dupe != null) {
        error(errors, i, "email", "appears again (first in row " + dupe + ")");
      }
      dupe = usernames.putIfAbsent(row.user().username().toLowerCase(Locale.ROOT), i);
      if (dupe != null) {
        error(errors, i, "username", "appears again (first in row " + dupe + ")");
      }
      if (row.plainPassword() != null) {
        plain++;
      }
      rows.add(row);
    }
    if (plain > MAX_PLAIN_PASSWORDS) {
      error(errors, -1, "password", plain + " rows carry plain-text passwords; hashing them is slow, so at most "
          + MAX_PLAIN_PASSWORDS + " per import (pre-hashed passwords have no limit)");
    }
    if (!errors.isEmpty()) {
      JsonArray shown = errors.size() > MAX_ERRORS ? new JsonArray(errors.getList().subList(0, MAX_ERRORS)) : errors;
      throw Problem.validation("The import has " + errors.size() + " error(s); nothing was imported", shown);
    }
    return rows;
  }

  private static Row check(int i, JsonObject r, JsonArray errors, boolean callerIsSuperuser) {
    int before = errors.size();
    String email = text(r, "email");
    email = Emails.normalise(email);
    if (!Emails.valid(email)) {
      error(errors, i, "email", email == null ? "is required" : "is not a valid email address");
    }
    String username = text(r, "username");
    if (username == null) {
      username = email;
    }
    if (username != null && !USERNAME.matcher(username).matches()) {
      error(errors, i, "username", "must be 1-150 letters, digits or _.@+-");
    }
    String password = text(r, "password");
    if (password == null) {
      password = text(r, "password_hash");
    }
    String hash = null;
    String plainPassword = null;
    if (password == null || password.startsWith("!")) {
      hash = PasswordInput.UNUSABLE_PASSWORD; // Django's "!..." unusable password stays unusable
    } else if (PasswordHashing.isSupportedHash(password)) {
      String tooCostly = PasswordHashing.tooCostly(password);
      if (tooCostly != null) {
        error(errors, i, "password", tooCostly);
      } else {
        hash = password;
      }
    } else if (password.contains("$") && password.matches("^[a-z0-9_]+\\$.*")) {
      error(errors, i, "password", "is a hash of an unsupported algorithm (supported: pbkdf2_sha256, argon2id)");
    } else if (password.length() > 128) {
      error(errors, i, "password", "is longer than 128 characters");
    } else {
      plainPassword = password;
    }
    String firstName = limited(r, "first_name", 150, i, errors);
    String lastName = limited(r, "last_name", 150, i, errors);
    String phone = limited(r, "phone", 32, i, errors);
    String department = limited(r, "department", 150, i, errors);
    String position = limited(r, "position", 150, i, errors);
    boolean active = bool(r, "is_active", true, i, errors);
    boolean staff = bool(r, "is_staff", false, i, errors);
    boolean superuser = bool(r, "is_superuser", false, i, errors);
    boolean verified = bool(r, "is_verified", false, i, errors);
    if (superuser && !callerIsSuperuser) {
      error(errors, i, "is_superuser", "only a superuser may import superusers");
    }
    if (staff && !callerIsSuperuser) {
      error(errors, i, "is_staff", "only a superuser may import staff");
    }
    OffsetDateTime createdAt = time(r, r.containsKey("date_joined") ? "date_joined" : "created_at", i, errors);
    if (errors.size() > before) {
      return null;
    }
    return new Row(i, new UsersAdminRepository.ImportRow(email, username, hash, nz(firstName), nz(lastName), phone,
        department, position, active, staff, superuser, verified, createdAt), plainPassword);
  }

  private static String text(JsonObject r, String field) {
    Object v = r.getValue(field);
    if (v == null) {
      return null;
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? null : s;
  }

  private static String limited(JsonObject r, String field, int max, int i, JsonArray errors) {
    String v = text(r, field);
    if (v != null && v.length() > max) {
      error(errors, i, field, "is longer than " + max + " characters");
    }
    return v;
  }

  private static boolean bool(JsonObject r, String field, boolean fallback, int i, JsonArray errors) {
    Object v = r.getValue(field);
    if (v instanceof Boolean b) {
      return b;
    }
    String s = text(r, field);
    if (s == null) {
      return fallback;
    }
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "t", "1", "yes" -> true;
      case "false", "f", "0", "no" -> false;
      default -> {
        error(errors, i, field, "must be true or false");
        yield fallback;
      }
    };
  }

  private static OffsetDateTime time(JsonObject r, String field, int i, JsonArray errors) {
    String s = text(r, field);
    if (s == null) {
      return null;
    }
    try {
      // Django's str() of a datetime uses a space between date and time.
      return OffsetDateTime.parse(s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + "T" + s.substring(11) : s);
    } catch (DateTimeParseException e) {
      error(errors, i, field, "must be an ISO 8601 time with offset");
      return null;
    }
  }

  private static void error(JsonArray errors, int row, String field, String message) {
    errors.add(Problem.entry(row < 0 ? "/" + field : "/" + row + "/" + field, message));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
