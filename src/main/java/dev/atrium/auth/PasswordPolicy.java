package dev.atrium.auth;

import dev.atrium.problem.Problem;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The rules a new password must meet, in the spirit of Django's default validators. */
public final class PasswordPolicy {
  public static final int MIN_LENGTH = 8;
  /** Upper bound so that nobody makes the server hash megabytes. */
  public static final int MAX_LENGTH = 128;
  private static final Set<String> COMMON = Set.of(
      "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123", "qwertyuiop",
      "iloveyou", "11111111", "00000000", "abc12345", "letmein1", "welcome1", "admin123", "passw0rd",
      "football", "baseball", "sunshine", "princess", "dragon12", "monkey12", "trustno1", "superman");

  private PasswordPolicy() {
  }

  /** Fails with 400 weak_password, one error per problem on {@code field}, unless the password is acceptable. */
  public static void require(String password, String field, String... personal) {
    List<String> weak = problems(password, personal);
    if (!weak.isEmpty()) {
      JsonArray entries = new JsonArray();
      weak.forEach(msg -> entries.add(Problem.entry(field, "Password " + msg)));
      throw Problem.validation("The password is too weak", entries).withCode("weak_password");
    }
  }

  /** Problems with the password, empty when it is acceptable. */
  public static List<String> problems(String password, String... personal) {
    List<String> out = new ArrayList<>();
    if (password.length() < MIN_LENGTH) {
      out.add("must be at least " + MIN_LENGTH + " characters long");
    }
    if (password.length() > MAX_LENGTH) {
      out.add("must be at most " + MAX_LENGTH + " characters long");
    }
    if (!password.isEmpty() && password.chars().allMatch(Character::isDigit)) {
      out.add("must not be entirely numeric");
    }
    String lower = password.toLowerCase(Locale.ROOT);
    if (COMMON.contains(lower)) {
      out.add("is too common");
    }
    for (String p : personal) {
      if (p == null || p.length() < 3) {
        continue;
      }
      String part = p.toLowerCase(Locale.ROOT);
      int at = part.indexOf('@');
      if (at > 0) {
        part = part.substring(0, at);
      }
      if (part.length() >= 3 && (lower.contains(part) || part.contains(lower))) {
        out.add("is too similar to your email or username");
        break;
      }
    }
    return out;
  }
}
