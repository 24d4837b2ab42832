package dev.atrium.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MailSettingsTest {
  @Test
  @DisplayName("SMTP URLs: smtp:// with STARTTLS on port 25 by default, smtps:// on 465, credentials decoded, never printed")
  void smtpUrls() {
    MailSettings.Smtp plain = MailSettings.parseSmtp("smtp://mail.example.com");
    assertEquals(new MailSettings.Smtp("mail.example.com", 25, false, null, null, false), plain);
    MailSettings.Smtp tls = MailSettings.parseSmtp("smtps://ada%40example.com:p%3Ass@mail.example.com:2465");
    assertEquals("ada@example.com", tls.username());
    assertEquals("p:ss", tls.password());
    assertEquals(2465, tls.port());
    assertTrue(tls.ssl());
    assertEquals(465, MailSettings.parseSmtp("smtps://mail.example.com").port());
    assertFalse(tls.toString().contains("p:ss"));
  }

  @Test
  @DisplayName("a bad mail setting stops start-up naming the variable, without echoing a password")
  void badValues() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AppConfig.fromEnv(Map.of("ATRIUM_SMTP_URL", "http://user:secret@mail.example.com")));
    assertTrue(e.getMessage().contains("ATRIUM_SMTP_URL"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of("ATRIUM_PUBLIC_URL", "atrium.example.com")));
    assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of("ATRIUM_MAIL_FROM", "not an address")));
    AppConfig ok = AppConfig.fromEnv(Map.of("ATRIUM_PUBLIC_URL", "https://atrium.example.com/",
        "ATRIUM_MAIL_FROM", "Atrium <no-reply@example.com>", "ATRIUM_REQUIRE_VERIFIED_EMAIL", "true"));
    assertEquals("https://atrium.example.com", ok.mail().publicUrl());
    assertEquals("https://atrium.example.com", ok.publicUrl().orElseThrow());
    AppConfig unset = AppConfig.fromEnv(Map.of());
    assertTrue(unset.publicUrl().isEmpty(), "unset: paging links follow the request's Host");
    assertEquals("http://localhost:8080", unset.mail().publicUrl());
    assertTrue(ok.mail().requireVerifiedEmail());
    assertTrue(ok.mail().smtp().isEmpty());
  }

  @Test
  @DisplayName("code-mail limits: 5 per address, 30 per IP, 15 minutes by default; each settable; nonsense refused")
  void codeLimits() {
    assertEquals(new MailSettings.CodeLimits(5, 30, Duration.ofMinutes(15)), AppConfig.fromEnv(Map.of()).mail().codeLimits());
    assertEquals(new MailSettings.CodeLimits(2, 7, Duration.ofHours(1)), AppConfig.fromEnv(Map.of(
        "ATRIUM_CODE_MAILS_PER_ADDRESS", "2", "ATRIUM_CODE_MAILS_PER_IP", "7", "ATRIUM_CODE_MAILS_WINDOW", "1h"))
        .mail().codeLimits());
    for (Map<String, String> bad : List.of(Map.of("ATRIUM_CODE_MAILS_PER_ADDRESS", "0"),
        Map.of("ATRIUM_CODE_MAILS_PER_IP", "many"), Map.of("ATRIUM_CODE_MAILS_WINDOW", "500ms"),
        Map.of("ATRIUM_CODE_MAILS_WINDOW", "2d"), Map.of("ATRIUM_SMTP_URL", "smtp://h", "ATRIUM_SMTP_TRUST_ALL", "maybe"))) {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(bad));
      assertTrue(e.getMessage().contains(bad.keySet().stream().filter(k -> !k.equals("ATRIUM_SMTP_URL")).findFirst()
          .orElseThrow()), e.getMessage());
    }
  }
}
