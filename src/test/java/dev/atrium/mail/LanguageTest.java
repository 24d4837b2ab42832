package dev.atrium.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LanguageTest {
  @Test
  @DisplayName("the user's own language wins; else the best supported Accept-Language entry; else English")
  void pick() {
    assertEquals(Language.ZH_CN, Language.pick("zh-CN", "en-US"));
    assertEquals(Language.EN, Language.pick("en", "zh-CN"));
    assertEquals(Language.ZH_CN, Language.pick(null, "zh-CN,zh;q=0.9,en;q=0.8"));
    assertEquals(Language.ZH_CN, Language.pick("fr", "fr-FR, en;q=0.5, zh;q=0.7"));
    assertEquals(Language.EN, Language.pick(null, "de-DE, en-GB;q=0.8"));
    assertEquals(Language.EN, Language.pick(null, "zh;q=0, de"));
    assertEquals(Language.EN, Language.pick(null, null));
    assertEquals(Language.EN, Language.pick(null, "garbage;q=x"));
  }

  @Test
  @DisplayName("every template renders in both languages; values are escaped in HTML only")
  void templates() {
    MailTemplates t = MailTemplates.loadBlocking();
    Map<String, String> values = Map.of("code", "123456", "link", "https://a.example/x?a=1&b=2", "minutes", "15",
        "new_email", "<b>@example.com");
    for (MailKind kind : MailKind.values()) {
      for (Language lang : Language.values()) {
        Mail m = t.render(kind, lang, "to@example.com", values);
        assertTrue(m.text().contains("https://a.example/x?a=1&b=2"), kind + " " + lang);
        assertTrue(m.html().contains("https://a.example/x?a=1&amp;b=2"), kind + " " + lang);
        assertTrue(!m.html().contains("<b>@example.com"), kind + " " + lang);
        assertTrue(!m.subject().isBlank());
      }
    }
    assertTrue(t.render(MailKind.PASSWORD_RESET, Language.ZH_CN, "x@y.z", values).subject().contains("密码"));
  }
}
