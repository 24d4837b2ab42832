package dev.atrium.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.config.MailSettings;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The vertx-mail-client settings each ATRIUM_SMTP_URL gives. GreenMail offers no STARTTLS, so
 * "STARTTLS when offered" is pinned here: StartTLSOptions.OPTIONAL upgrades when the server's
 * EHLO lists STARTTLS and sends in clear otherwise (REQUIRED would refuse such a server,
 * DISABLED would never upgrade).
 */
class SmtpTransportTest {
  private static MailSettings.Smtp smtp(Map<String, String> env) {
    return AppConfig.fromEnv(env).mail().smtp().orElseThrow();
  }

  @Test
  @DisplayName("smtp://: STARTTLS when offered (OPTIONAL), no login without credentials, certificate and host name checked")
  void plainUpgradesWhenOffered() {
    MailConfig c = SmtpTransport.config(smtp(Map.of("ATRIUM_SMTP_URL", "smtp://mail.example.com")));
    assertEquals(StartTLSOptions.OPTIONAL, c.getStarttls());
    assertFalse(c.isSsl());
    assertEquals(25, c.getPort());
    assertEquals(LoginOption.DISABLED, c.getLogin());
    assertFalse(c.isTrustAll());
    assertEquals("HTTPS", c.getHostnameVerificationAlgorithm());
  }

  @Test
  @DisplayName("smtps://user:pass@host: TLS from the first byte (no STARTTLS), login required with those credentials")
  void smtpsLogsIn() {
    MailConfig c = SmtpTransport.config(smtp(Map.of("ATRIUM_SMTP_URL", "smtps://ada:p%40ss@mail.example.com")));
    assertTrue(c.isSsl());
    assertEquals(465, c.getPort());
    assertEquals(StartTLSOptions.DISABLED, c.getStarttls());
    assertEquals(LoginOption.REQUIRED, c.getLogin());
    assertEquals("ada", c.getUsername());
    assertEquals("p@ss", c.getPassword());
    assertFalse(c.isTrustAll());
    assertEquals("HTTPS", c.getHostnameVerificationAlgorithm());
  }

  @Test
  @DisplayName("ATRIUM_SMTP_TRUST_ALL=true (test servers only) accepts any certificate and host name; it is off by default")
  void trustAllIsExplicit() {
    MailSettings.Smtp trusting = smtp(Map.of("ATRIUM_SMTP_URL", "smtps://mail.example.com", "ATRIUM_SMTP_TRUST_ALL", "true"));
    MailConfig c = SmtpTransport.config(trusting);
    assertTrue(c.isTrustAll());
    assertEquals("", c.getHostnameVerificationAlgorithm());
    assertTrue(trusting.toString().contains("certificate not checked"), trusting.toString());
    assertFalse(smtp(Map.of("ATRIUM_SMTP_URL", "smtps://mail.example.com")).trustAll());
  }
}
