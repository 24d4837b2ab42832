package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.atrium.events.Addresses;
import dev.atrium.events.UserLogin;
import dev.atrium.events.UserLogout;
import dev.atrium.events.UserRegistered;
import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AccountEventsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static final List<JsonObject> registered = new CopyOnWriteArrayList<>();
  static final List<JsonObject> logins = new CopyOnWriteArrayList<>();
  static final List<JsonObject> logouts = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    var bus = server.application().vertx().eventBus();
    bus.<JsonObject>consumer(Addresses.USER_REGISTERED, m -> registered.add(m.body()));
    bus.<JsonObject>consumer(Addresses.USER_LOGIN, m -> logins.add(m.body()));
    bus.<JsonObject>consumer(Addresses.USER_LOGOUT, m -> logouts.add(m.body()));
  }

  @Test
  @DisplayName("registration, login, logout and logout-all publish user.registered, user.login and user.logout")
  void published() {
    Accounts.Login a = Accounts.registerAndLogin(server, "events");
    Poll.until(Duration.ofSeconds(5), "user.registered and user.login arrive",
        () -> registered.stream().anyMatch(e -> a.userId().equals(e.getString("user_id")))
            && logins.stream().anyMatch(e -> a.userId().equals(e.getString("user_id"))));
    UserRegistered reg = UserRegistered.fromJson(registered.stream()
        .filter(e -> a.userId().equals(e.getString("user_id"))).findFirst().orElseThrow());
    assertEquals(a.email(), reg.email());
    assertEquals("127.0.0.1", reg.ip());
    UserLogin login = UserLogin.fromJson(logins.stream()
        .filter(e -> a.userId().equals(e.getString("user_id"))).findFirst().orElseThrow());
    assertEquals(server.sql("SELECT id::text AS id FROM sessions WHERE user_id = ?::uuid", a.userId()).get(0).get("id"),
        login.sessionId());

    a.http(server).post("/api/auth/logout", new JsonObject().put("refresh", a.refresh()));
    Accounts.Login again = Accounts.login(server, a.email(), Accounts.PASSWORD);
    again.http(server).post("/api/auth/logout-all", null);
    Poll.until(Duration.ofSeconds(5), "two user.logout events arrive",
        () -> logouts.stream().filter(e -> a.userId().equals(e.getString("user_id"))).count() == 2);
    List<UserLogout> events = logouts.stream().filter(e -> a.userId().equals(e.getString("user_id")))
        .map(UserLogout::fromJson).toList();
    assertEquals(login.sessionId(), events.get(0).sessionId());
    assertNull(events.get(1).sessionId());
  }
}
