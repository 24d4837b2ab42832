package dev.atrium.api.validation;

/**
 * The string formats the contract asserts, checked by hand: these run for every event of a
 * track-activity batch, where a regex or a {@code java.time} parse per field would cost more
 * than the rest of the validation together.
 */
final class Formats {
  private Formats() {
  }

  /** 8-4-4-4-12 hexadecimal digits. */
  static boolean uuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-' : Character.digit(c, 16) >= 0 && c < 128;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code YYYY-MM-DD}. */
  static boolean date(String s) {
    return s.length() == 10 && datePart(s);
  }

  /**
   * RFC 3339 / ISO 8601 with an offset, as {@code OffsetDateTime.parse} takes it:
   * {@code 2026-01-31T12:00Z}, {@code 2026-01-31T12:00:00.123+01:00}.
   */
  static boolean dateTime(String s) {
    int n = s.length();
    if (n < 17 || !datePart(s) || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || !twoDigits(s, 11, 23) || s.charAt(13) != ':' || !twoDigits(s, 14, 59)) {
      return false;
    }
    int i = 16;
    if (i < n && s.charAt(i) == ':') {
      if (!twoDigits(s, i + 1, 59)) {
        return false;
      }
      i += 3;
      if (i < n && s.charAt(i) == '.') {
        int start = ++i;
        while (i < n && isDigit(s.charAt(i))) {
          i++;
        }
        if (i == start || i - start > 9) {
          return false;
        }
      }
    }
    if (i == n - 1) {
      return s.charAt(i) == 'Z' || s.charAt(i) == 'z';
    }
    return i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && twoDigits(s, i + 1, 18)
        && s.charAt(i + 3) == ':' && twoDigits(s, i + 4, 59);
  }

  private static boolean datePart(String s) {
    for (int i = 0; i < 4; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return s.charAt(4) == '-' && twoDigits(s, 5, 12) && s.charAt(7) == '-' && twoDigits(s, 8, 31)
        && s.charAt(5) + s.charAt(6) != '0' + '0' && s.charAt(8) + s.charAt(9) != '0' + '0';
  }

  private static boolean twoDigits(String s, int at, int max) {
    if (at + 2 > s.length() || !isDigit(s.charAt(at)) || !isDigit(s.charAt(at + 1))) {
      return false;
    }
    return (s.charAt(at) - '0') * 10 + (s.charAt(at + 1) - '0') <= max;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
