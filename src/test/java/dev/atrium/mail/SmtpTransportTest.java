package dev.atrium.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.config.MailSettings;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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

  @Test
  @DisplayName("a server that accepts and never answers fails the send after the reply timeout (it is retried), never holds it")
  void silentServerFailsTheSend() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept()); // kept open, never written to
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      SmtpTransport transport = new SmtpTransport(vertx,
          smtp(Map.of("ATRIUM_SMTP_URL", "smtp://127.0.0.1:" + silent.getLocalPort())), Duration.ofMillis(500));
      CompletableFuture<Void> sent = transport.send("atrium@example.com",
              new Mail(MailKind.VERIFY_EMAIL, "ada@example.com", "Verify", "text", "<p>html</p>"))
          .toCompletionStage().toCompletableFuture();
      assertThrows(ExecutionException.class, () -> sent.get(20, TimeUnit.SECONDS), "the send failed, not hung");
      assertEquals(1, held.size(), "it reached the server");
    } finally {
      for (Socket s : held) {
        s.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the SMTP connection is closed after a minute without a byte either way")
  void replyTimeoutIsPinned() {
    MailConfig c = SmtpTransport.config(smtp(Map.of("ATRIUM_SMTP_URL", "smtp://mail.example.com")));
    assertEquals(60_000, c.getIdleTimeout());
    assertEquals(TimeUnit.MILLISECONDS, c.getIdleTimeoutUnit());
  }
}
