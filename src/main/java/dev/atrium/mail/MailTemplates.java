package dev.atrium.mail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text and HTML templates per mail kind and language, read once at start-up from
 * {@code resources/mail/<kind>.<lang>.txt|html}. A text template's first line is
 * {@code Subject: ...}. Placeholders are {@code {{name}}}; values are HTML-escaped in the HTML part.
 */
public final class MailTemplates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

  private record Template(String subject, String text, String html) {
  }

  private final Map<MailKind, Map<Language, Template>> templates;

  private MailTemplates(Map<MailKind, Map<Language, Template>> templates) {
    this.templates = templates;
  }

  /** Reads every template off the event loop; start-up fails if one is missing. */
  public static Future<MailTemplates> load(Vertx vertx) {
    return vertx.executeBlocking(MailTemplates::loadBlocking);
  }

  static MailTemplates loadBlocking() {
    Map<MailKind, Map<Language, Template>> all = new EnumMap<>(MailKind.class);
    for (MailKind kind : MailKind.values()) {
      Map<Language, Template> perLanguage = new EnumMap<>(Language.class);
      for (Language lang : Language.values()) {
        String base = "mail/" + kind.template() + "." + lang.tag();
        String text = resource(base + ".txt");
        int newline = text.indexOf('\n');
        if (!text.startsWith("Subject: ") || newline < 0) {
          throw new IllegalStateException(base + ".txt must start with a 'Subject: ' line");
        }
        perLanguage.put(lang, new Template(text.substring(9, newline).trim(), text.substring(newline + 1),
            resource(base + ".html")));
      }
      all.put(kind, perLanguage);
    }
    return new MailTemplates(all);
  }

  public Mail render(MailKind kind, Language lang, String to, Map<String, String> values) {
    Template t = templates.get(kind).get(lang);
    Map<String, String> escaped = new HashMap<>();
    values.forEach((k, v) -> escaped.put(k, escapeHtml(v)));
    return new Mail(kind, to, fill(t.subject(), values), fill(t.text(), values), fill(t.html(), escaped));
  }

  private static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException("no value for {{" + m.group(1) + "}}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String escapeHtml(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String resource(String path) {
    try (InputStream in = MailTemplates.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing mail template " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read mail template " + path, e);
    }
  }
}
