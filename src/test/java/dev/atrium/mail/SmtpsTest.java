package dev.atrium.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.config.MailSettings;
import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mail over SMTPS (TLS from the first byte) with a login, to GreenMail's SMTPS server and its
 * self-signed certificate, which only the test-only ATRIUM_SMTP_TRUST_ALL accepts.
 */
class SmtpsTest {
  static final String LOGIN = "atrium";
  static final String PASSWORD = "smtp-secret-for-tests";
  @RegisterExtension
  static final Mailbox mailbox = Mailbox.smtps(LOGIN, PASSWORD);
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_SMTP_URL", mailbox.smtpUrl(),
      "ATRIUM_SMTP_TRUST_ALL", "true"));
  static final Vertx vertx = Vertx.vertx();

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("smtps://user:pass@host:port: the registration code reaches the SMTPS server and the outbox marks it sent")
  void deliveredOverTlsWithLogin() {
    String email = Accounts.uniqueEmail("smtps");
    assertEquals(201, server.http().post("/api/auth/register", new JsonObject().put("email", email)
        .put("username", email.substring(0, email.indexOf('@'))).put("password", Accounts.PASSWORD)).status());
    Mailbox.Received mail = mailbox.await(email);
    assertTrue(mail.subject().startsWith("Your Atrium verification code"), mail.subject());
    assertEquals(6, mail.code().length());
    Poll.until(Duration.ofSeconds(10), "the outbox row is marked sent after one attempt", () -> server.sql(
        "SELECT 1 FROM mail_outbox WHERE recipient = ? AND status = 'sent' AND attempts = 1", email).size() == 1);
  }

  @Test
  @DisplayName("the login is real: over the same TLS connection a wrong password is refused (535) and nothing is delivered")
  void wrongPasswordRefused() {
    int before = mailbox.receivedCount();
    Throwable e = sendFails(smtp(mailbox.smtpUrl("not-the-password"), true));
    assertTrue(String.valueOf(e.getMessage()).contains("535"), String.valueOf(e));
    assertEquals(before, mailbox.receivedCount());
  }

  @Test
  @DisplayName("without ATRIUM_SMTP_TRUST_ALL the self-signed certificate is refused: certificates are checked by default")
  void selfSignedRefusedByDefault() {
    int before = mailbox.receivedCount();
    sendFails(smtp(mailbox.smtpUrl(), false));
    assertEquals(before, mailbox.receivedCount());
  }

  private static MailSettings.Smtp smtp(String url, boolean trustAll) {
    Map<String, String> env = new HashMap<>(Map.of("ATRIUM_SMTP_URL", url));
    if (trustAll) {
      env.put("ATRIUM_SMTP_TRUST_ALL", "true");
    }
    return AppConfig.fromEnv(env).mail().smtp().orElseThrow();
  }

  /** Sends one mail straight through a transport (no outbox, so no retries) and returns why it failed. */
  private static Throwable sendFails(MailSettings.Smtp smtp) {
    SmtpTransport transport = new SmtpTransport(vertx, smtp);
    try {
      Future<Void> sent = transport.send("Atrium <no-reply@atrium.test>",
          new Mail(MailKind.PASSWORD_RESET, "someone@atrium.test", "test", "text", "<p>html</p>"));
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> sent.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
      return e.getCause();
    } finally {
      transport.close();
    }
  }
}
