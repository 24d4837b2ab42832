package dev.atrium.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The languages mails are written in, and how one is chosen for a reader. */
public enum Language {
  EN("en"),
  ZH_CN("zh-CN");

  private final String tag;

  Language(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }

  /**
   * The user's own choice (profile {@code preferences.language}) when it names a supported
   * language, else the best supported entry of the request's {@code Accept-Language}, else English.
   */
  public static Language pick(String preference, String acceptLanguage) {
    Language own = match(preference);
    if (own != null) {
      return own;
    }
    if (acceptLanguage != null && acceptLanguage.length() <= 512) {
      record Ranged(String tag, double q) {
      }
      List<Ranged> ranges = new ArrayList<>();
      for (String part : acceptLanguage.split(",")) {
        String[] bits = part.trim().split(";");
        double q = 1;
        for (int i = 1; i < bits.length; i++) {
          String p = bits[i].trim();
          if (p.startsWith("q=")) {
            try {
              q = Double.parseDouble(p.substring(2));
            } catch (NumberFormatException e) {
              q = 0;
            }
          }
        }
        ranges.add(new Ranged(bits[0].trim(), q));
      }
      ranges.sort((a, b) -> Double.compare(b.q(), a.q())); // stable: equal weights keep their order
      for (Ranged r : ranges) {
        Language l = r.q() > 0 ? match(r.tag()) : null;
        if (l != null) {
          return l;
        }
      }
    }
    return EN;
  }

  private static Language match(String tag) {
    if (tag == null) {
      return null;
    }
    String t = tag.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("zh")) {
      // Simplified Chinese is the only Chinese we write; Traditional readers still get Chinese
      return ZH_CN;
    }
    if (t.startsWith("en")) {
      return EN;
    }
    return null;
  }
}
