package dev.atrium.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox keeps mail while the SMTP server is away and sends it once it is back. */
class MailOutboxTest {
  @RegisterExtension
  static final Mailbox mailbox = new Mailbox();
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_SMTP_URL", mailbox.smtpUrl(),
      "ATRIUM_MAIL_RETRY_BASE", "1s"));

  @Test
  @DisplayName("SMTP down while a reset is asked for: the mail is retried with backoff and arrives once SMTP is back")
  void smtpDownThenBack() {
    Accounts.Login a = Accounts.registerAndLogin(server, "outage");
    mailbox.await(a.email()); // SMTP works: the verification mail arrived
    double sentBefore = metric("atrium_mail_sent_total");

    mailbox.stop();
    assertEquals(202, server.http().post("/api/auth/password/reset/request", new JsonObject().put("email", a.email())).status());
    Poll.until(Duration.ofSeconds(20), "the reset mail failed at least twice and waits for a retry", () -> {
      List<Map<String, Object>> rows = server.sql("SELECT status, attempts, last_error FROM mail_outbox"
          + " WHERE kind = 'PASSWORD_RESET' AND recipient = ?", a.email());
      return rows.size() == 1 && "pending".equals(rows.get(0).get("status"))
          && ((Integer) rows.get(0).get("attempts")) >= 2 && rows.get(0).get("last_error") != null;
    });
    assertTrue(metric("atrium_mail_retried_total") >= 2);

    mailbox.start(); // a fresh server on the same port: it has received nothing yet
    Mailbox.Received mail = mailbox.await(a.email());
    assertTrue(mail.subject().contains("password reset"), mail.subject());
    Http.Res reset = server.http().post("/api/auth/password/reset", new JsonObject().put("email", a.email())
        .put("code", mail.code()).put("new_password", "a brand new passphrase"));
    assertEquals(204, reset.status(), reset::toString);

    Poll.until(Duration.ofSeconds(5), "the row is marked sent, its bodies dropped", () -> server.sql(
        "SELECT 1 FROM mail_outbox WHERE kind = 'PASSWORD_RESET' AND recipient = ? AND status = 'sent'"
            + " AND text_body = '' AND html_body = '' AND sent_at IS NOT NULL", a.email()).size() == 1);
    assertEquals(sentBefore + 1, metric("atrium_mail_sent_total"));
    assertEquals(0.0, metric("atrium_mail_failed_total"));
    assertEquals(1, mailbox.to(a.email()).size(), "sent once, not once per retry");
  }

  @Test
  @DisplayName("the backoff doubles from the base and stops growing at 10 minutes")
  void backoff() {
    assertEquals(Duration.ofSeconds(5), MailSender.backoff(Duration.ofSeconds(5), 1));
    assertEquals(Duration.ofSeconds(40), MailSender.backoff(Duration.ofSeconds(5), 4));
    assertEquals(Duration.ofMinutes(10), MailSender.backoff(Duration.ofSeconds(5), 9));
    assertEquals(Duration.ofMinutes(10), MailSender.backoff(Duration.ofSeconds(5), 99));
  }

  private static double metric(String name) {
    String body = server.http().get("/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.E+-]+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(2)) : 0.0;
  }
}
