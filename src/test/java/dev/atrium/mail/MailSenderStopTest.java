package dev.atrium.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.db.Database;
import dev.atrium.support.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node that stops while it sends mail: the mail on the wire is finished and recorded before
 * the transport closes, and the rest of its batch is given back at once. The sender runs against
 * its own migrated database (no node: a node's own sender would claim the rows too) and a
 * transport whose sends end when the test says.
 */
class MailSenderStopTest {
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
  private final Vertx vertx = Vertx.vertx();
  private final HeldTransport transport = new HeldTransport();
  private String database;
  private AppConfig config;
  private Pool pool;
  private Outbox outbox;

  /** Sends that complete only when the test completes them, on the sender's event loop. */
  private static final class HeldTransport implements MailTransport {
    private record Held(Context context, Promise<Void> promise) {
    }

    final List<Held> sends = new CopyOnWriteArrayList<>();
    volatile boolean closed;
    volatile boolean closedUnderASend;

    @Override
    public Future<Void> send(String from, Mail mail) {
      Promise<Void> p = Promise.promise();
      sends.add(new Held(Vertx.currentContext(), p));
      return p.future();
    }

    void finish(int i) {
      Held h = sends.get(i);
      h.context().runOnContext(v -> h.promise().complete());
    }

    @Override
    public Future<Void> close() {
      closedUnderASend = sends.stream().anyMatch(h -> !h.promise().future().isComplete());
      closed = true;
      return Future.succeededFuture();
    }
  }

  @BeforeEach
  void migrate() throws Exception {
    database = ("t_mailsenderstop_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    config = AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + database));
    Database db = new Database(config);
    db.prepareBlocking();
    pool = db.createPool(vertx);
    outbox = new Outbox(pool);
  }

  @AfterEach
  void drop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null);
         Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private void queue(String to) throws Exception {
    outbox.add(pool, new Mail(MailKind.PASSWORD_RESET, to, "Reset", "code 123456", "<p>code 123456</p>"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private MailSender deploySender() throws Exception {
    MailSender sender = new MailSender(outbox, transport, config.mail(), new SimpleMeterRegistry());
    vertx.deployVerticle(sender).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return sender;
  }

  /**
   * Stops the sender as undeploying it would, then ends the first send: both on the sender's
   * event loop, in that order, so the send ends after the stop began (undeploying from the test
   * thread would race the two).
   */
  private void stopThenFinishFirstSend(MailSender sender) throws Exception {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    transport.sends.get(0).context().runOnContext(v -> {
      sender.stop().onComplete(ar -> stopped.complete(null));
      transport.finish(0);
    });
    stopped.get(20, TimeUnit.SECONDS);
  }

  /** status, attempts, and whether the row is due now (not leased). */
  private String row(String to) throws Exception {
    try (Connection c = DriverManager.getConnection(PG + database, "postgres", null);
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT status, attempts, next_attempt_at <= now() AS due FROM mail_outbox"
             + " WHERE recipient = '" + to + "'")) {
      assertTrue(rs.next(), "a row for " + to);
      return rs.getString("status") + " " + rs.getInt("attempts") + (rs.getBoolean("due") ? " due" : " leased");
    }
  }

  @Test
  @DisplayName("stopping while a mail is on the wire: it is finished and marked sent before the transport closes")
  void finishesTheMailOnTheWire() throws Exception {
    queue("ada@example.com");
    MailSender sender = deploySender();
    Poll.until(Duration.ofSeconds(10), "the mail is being sent", () -> transport.sends.size() == 1);

    stopThenFinishFirstSend(sender);

    assertTrue(transport.closed, "the transport is closed");
    assertFalse(transport.closedUnderASend, "not while a mail was on the wire");
    assertTrue(row("ada@example.com").startsWith("sent 1"), row("ada@example.com"));
  }

  @Test
  @DisplayName("stopping mid-batch: the batch's unsent mails are given back due at once, not leased for two minutes")
  void givesTheRestBack() throws Exception {
    queue("ada@example.com");
    queue("bob@example.com");
    queue("cy@example.com");
    MailSender sender = deploySender();
    Poll.until(Duration.ofSeconds(10), "the first mail is being sent", () -> transport.sends.size() == 1);

    stopThenFinishFirstSend(sender);

    assertEquals(1, transport.sends.size(), "no mail started once stopping");
    assertTrue(row("ada@example.com").startsWith("sent 1"), row("ada@example.com"));
    assertEquals("pending 0 due", row("bob@example.com"));
    assertEquals("pending 0 due", row("cy@example.com"));
  }
}
