package dev.atrium;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Poll;
import dev.atrium.support.ServerProcess;
import dev.atrium.support.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ATRIUM_START_TIMEOUT counts from the end of the migrations: a migration that takes longer than
 * the deadline (here it waits for a lock) is not cut off, which would roll it back and start it
 * over at every restart.
 */
class StartDeadlineTest {
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

  @RegisterExtension
  static final TestServer server = TestServer.node();

  private final String database = ("t_startdeadline_" + UUID.randomUUID().toString().substring(0, 8))
      .toLowerCase(Locale.ROOT);

  @AfterEach
  void drop() throws Exception {
    try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null);
         Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  @Test
  @DisplayName("a migration held up past the start deadline is waited for, and the node then starts")
  void migrationsAreNotCutOff() throws Exception {
    try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null);
         Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    }
    // Every migration but V25, which indexes notification_batches and so needs a lock on it.
    Flyway.configure().dataSource(PG + database, "postgres", null).locations("classpath:db/migration")
        .target("24").load().migrate();
    Map<String, String> env = new HashMap<>(server.env());
    env.put("ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + database);
    // Shorter than the migrations here (5 s waiting for the lock, a 5 s pause, then the index),
    // long enough for the rest of start-up on a busy machine.
    env.put("ATRIUM_START_TIMEOUT", "8s");
    try (Connection holder = DriverManager.getConnection(PG + database, "postgres", null)) {
      holder.setAutoCommit(false);
      holder.createStatement().execute("LOCK TABLE notification_batches IN ROW EXCLUSIVE MODE");
      try (ServerProcess node = ServerProcess.launch(env, List.of("-Xmx128m"))) {
        Poll.until(Duration.ofSeconds(30), "a migration gives up waiting for the lock (after 5 s)",
            () -> node.logged("A migration waited") || !node.alive());
        assertTrue(node.alive(), () -> "the node gave up: " + node.output());
        holder.rollback();
        node.awaitReady(Duration.ofSeconds(60));
        assertEquals(200, node.http().get("/health/ready").status());
      }
    }
  }
}
