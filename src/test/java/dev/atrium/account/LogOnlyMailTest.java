package dev.atrium.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Without ATRIUM_SMTP_URL mails go to the log and every flow still works; with
 * ATRIUM_REQUIRE_VERIFIED_EMAIL an unverified account cannot sign in until it enters a code.
 */
class LogOnlyMailTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_REQUIRE_VERIFIED_EMAIL", "true"));
  static final ListAppender<ILoggingEvent> mails = new ListAppender<>();
  static final ListAppender<ILoggingEvent> security = new ListAppender<>();

  @BeforeAll
  static void start() {
    attach("atrium.mail", mails);
    attach("atrium.security", security);
  }

  @AfterAll
  static void stop() {
    for (String name : new String[] {"atrium.mail", "atrium.security"}) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      logger.detachAppender(name.equals("atrium.mail") ? mails : security);
      logger.setLevel(null); // back to the quiet test configuration for the classes that follow
    }
  }

  private static void attach(String name, ListAppender<ILoggingEvent> appender) {
    Logger logger = (Logger) LoggerFactory.getLogger(name);
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  /** The text of the n-th logged mail to the address. */
  private static String loggedMail(String to, int n) {
    return Poll.value(Duration.ofSeconds(10), n + " logged mail(s) to " + to, () -> {
      List<String> texts = mails.list.stream()
          .filter(e -> Arrays.stream(e.getArgumentArray()).anyMatch(a -> a.toString().equals("mail_to=" + to)))
          .map(e -> Arrays.stream(e.getArgumentArray()).map(Object::toString)
              .filter(s -> s.startsWith("mail_text=")).findFirst().orElse(""))
          .toList();
      return texts.size() >= n ? Optional.of(texts.get(n - 1)) : Optional.<String>empty();
    }, Optional::isPresent).orElseThrow();
  }

  private static String code(String text) {
    Matcher m = Pattern.compile("\\b(\\d{6})\\b").matcher(text);
    assertTrue(m.find(), text);
    return m.group(1);
  }

  @Test
  @DisplayName("unverified: login is 403 email_not_verified; a new code asked for signed out, then entered, lets it in")
  void requireVerified() {
    String email = Accounts.uniqueEmail("unverified");
    assertEquals(201, server.http().post("/api/auth/register", new JsonObject().put("email", email)
        .put("username", email.substring(0, email.indexOf('@'))).put("password", Accounts.PASSWORD)).status());
    String first = code(loggedMail(email, 1));
    Http.Res refused = server.http().post("/api/auth/login", new JsonObject().put("email", email).put("password", Accounts.PASSWORD));
    assertEquals(403, refused.status());
    assertEquals("email_not_verified", refused.code());

    Http.Res asked = server.http().post("/api/auth/email/verify/request", new JsonObject().put("email", email));
    assertEquals(202, asked.status());
    String second = code(loggedMail(email, 2));
    if (!first.equals(second)) {
      assertEquals("code_invalid", server.http().post("/api/auth/email/verify",
          new JsonObject().put("email", email).put("code", first)).code(), "the new code voided the first");
    }
    assertEquals(200, server.http().post("/api/auth/email/verify", new JsonObject().put("email", email)
        .put("code", second)).status());
    Accounts.login(server, email, Accounts.PASSWORD);
    assertTrue(security.list.stream().anyMatch(e -> e.getFormattedMessage().contains("security.email_verification")),
        "a security event line was written");
    assertEquals(202, server.http().post("/api/auth/email/verify/request",
        new JsonObject().put("email", Accounts.uniqueEmail("nobody"))).status(), "the same answer for any address");
  }

  @Test
  @DisplayName("a bad bearer token on a route that also works signed out is refused, not ignored")
  void badTokenRefused() {
    Http.Res r = server.http().bearer("not-a-token").post("/api/auth/email/verify/request", new JsonObject());
    assertEquals(401, r.status(), r::toString);
  }
}
