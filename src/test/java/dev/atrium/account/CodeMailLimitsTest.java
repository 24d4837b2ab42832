package dev.atrium.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atrium.mail.Mailbox;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The code-mail send limits (ATRIUM_CODE_MAILS_*), set low here, against a real SMTP server:
 * over the per-address or per-IP limit no code is issued and no mail is queued, a password-reset
 * request still answers the same 202, and a signed-in request is told 429 with Retry-After.
 * Each test sends from its own client IPs (X-Forwarded-For; the test node trusts it).
 */
class CodeMailLimitsTest {
  @RegisterExtension
  static final Mailbox mailbox = new Mailbox();
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_SMTP_URL", mailbox.smtpUrl(),
      "ATRIUM_CODE_MAILS_PER_ADDRESS", "3", "ATRIUM_CODE_MAILS_PER_IP", "4", "ATRIUM_CODE_MAILS_WINDOW", "10m"));
  static final ListAppender<ILoggingEvent> security = new ListAppender<>();

  @BeforeAll
  static void listen() {
    Logger logger = (Logger) LoggerFactory.getLogger("atrium.security");
    logger.setLevel(Level.INFO);
    security.start();
    logger.addAppender(security);
  }

  @AfterAll
  static void stopListening() {
    Logger logger = (Logger) LoggerFactory.getLogger("atrium.security");
    logger.detachAppender(security);
    logger.setLevel(null);
  }

  private static Http from(String ip) {
    return server.http().with("X-Forwarded-For", ip);
  }

  /** Registers from {@code ip} (the first code mail goes out) and answers the new user's id. */
  private static String register(String email, String ip) {
    Http.Res r = from(ip).post("/api/auth/register", new JsonObject().put("email", email)
        .put("username", email.substring(0, email.indexOf('@'))).put("password", Accounts.PASSWORD));
    assertEquals(201, r.status(), r::toString);
    return r.json().getString("user_id");
  }

  private static Http.Res requestReset(String email, String ip) {
    return from(ip).post("/api/auth/password/reset/request", new JsonObject().put("email", email));
  }

  /** Security events saying a reset request for the user was over a limit (logged once decided). */
  private static long throttledResets(String userId) {
    List<ILoggingEvent> events;
    synchronized (security) { // AppenderBase appends under this lock
      events = new ArrayList<>(security.list);
    }
    return events.stream().map(e -> Arrays.toString(e.getArgumentArray())).filter(a ->
        a.contains("security.password_reset_requested") && a.contains(userId) && a.contains("outcome=throttled")).count();
  }

  private static void awaitThrottledReset(String userId) {
    Poll.until(Duration.ofSeconds(10), "a throttled password_reset_requested event for " + userId,
        () -> throttledResets(userId) > 0);
  }

  private static int queued(String email) {
    return server.sql("SELECT 1 FROM mail_outbox WHERE recipient = ?", email).size();
  }

  @Test
  @DisplayName("per address (3 here): the 4th code mail is refused from any IP; the reset answer is the same 202, no mail, the last code still works")
  void perAddress() {
    String email = Accounts.uniqueEmail("limit-address");
    String userId = register(email, "10.1.0.1");
    mailbox.await(email, 1);
    assertEquals(202, requestReset(email, "10.1.0.2").status());
    mailbox.await(email, 2);
    assertEquals(202, requestReset(email, "10.1.0.3").status());
    String lastCode = mailbox.await(email, 3).code();

    Http.Res throttled = requestReset(email, "10.1.0.4");
    Http.Res unknown = requestReset(Accounts.uniqueEmail("nobody"), "10.1.0.5");
    assertEquals(202, throttled.status());
    assertEquals(unknown.json(), throttled.json(), "the same body as for an address that has no account");
    assertEquals(Optional.empty(), throttled.header("Retry-After"), "no hint that the address exists");
    awaitThrottledReset(userId);
    assertEquals(3, queued(email), "nothing queued for the throttled request");
    assertEquals(3, mailbox.to(email).size());

    Accounts.Login a = Accounts.login(server, email, Accounts.PASSWORD);
    Http.Res asked = a.http(server).with("X-Forwarded-For", "10.1.0.6").post("/api/auth/email/verify/request", new JsonObject());
    assertEquals(429, asked.status(), asked::toString);
    assertEquals("rate_limited", asked.code());
    assertEquals(Optional.of("600"), asked.header("Retry-After"), "the configured window");
    assertEquals(3, queued(email));

    // no new code was issued (a new one would have voided this one)
    Http.Res reset = server.http().post("/api/auth/password/reset", new JsonObject().put("email", email)
        .put("code", lastCode).put("new_password", "a brand new passphrase"));
    assertEquals(204, reset.status(), reset::toString);
  }

  @Test
  @DisplayName("per client IP (4 here): one IP asking resets for 5 accounts gets 4 mailed; the account it asked for last gets nothing more")
  void perIp() {
    List<String> emails = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      String email = Accounts.uniqueEmail("limit-ip" + i);
      emails.add(email);
      ids.add(register(email, "10.2.0." + i));
    }
    emails.forEach(email -> mailbox.await(email, 1));
    for (String email : emails) {
      assertEquals(202, requestReset(email, "10.2.9.9").status());
    }
    // the node handles each reset after answering, so which one comes 5th is not fixed
    int refused = Poll.value(Duration.ofSeconds(10), "one throttled reset among the five", () -> {
      for (int i = 0; i < ids.size(); i++) {
        if (throttledResets(ids.get(i)) > 0) {
          return i;
        }
      }
      return -1;
    }, i -> i >= 0);
    for (int i = 0; i < emails.size(); i++) {
      if (i != refused) {
        assertTrue(mailbox.await(emails.get(i), 2).subject().contains("password reset"));
        assertEquals(0, throttledResets(ids.get(i)));
      }
    }
    assertEquals(1, queued(emails.get(refused)), "only its registration mail");
    assertEquals(1, mailbox.to(emails.get(refused)).size());
  }
}
