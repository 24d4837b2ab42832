package dev.atrium.auth;

import dev.atrium.problem.Problem;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one email rule: what counts as an address, and the one normal form that registration
 * stores, login looks up and the login throttle counts (so that {@code " A@x.com"} and
 * {@code "a@x.com"} are the same account to all three).
 */
public final class Emails {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");

  private Emails() {
  }

  /** Trimmed and NFKC-normalised; case is kept for display, lookups ignore it. */
  public static String normalise(String email) {
    return email == null ? null : Normalizer.normalize(email.strip(), Normalizer.Form.NFKC);
  }

  /** The case-folded key of an address, for counting attempts against it. */
  public static String key(String email) {
    return normalise(email).toLowerCase(Locale.ROOT);
  }

  public static boolean valid(String email) {
    return email != null && email.length() <= 254 && EMAIL.matcher(email).matches();
  }

  /** Fails with 400 validation_failed on {@code field} unless the (normalised) address is valid. */
  public static String require(String email, String field) {
    String normal = normalise(email);
    if (!valid(normal)) {
      throw Problem.field("validation_failed", field, "is not a valid email address");
    }
    return normal;
  }
}
