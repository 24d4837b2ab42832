package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atrium.config.AppConfig;
import dev.atrium.support.Poll;
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
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A migration that needs a lock an open transaction holds (an export reading users, say): it
 * gives up after the lock timeout, instead of making every later reader of the table queue
 * behind it, and is tried again. Runs on a database of its own, migrated, plus a test-only
 * migration that alters users.
 */
class MigrationLocksTest {
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
  private static final List<String> WITH_ALTER = List.of(Database.MIGRATIONS, "classpath:db/lock-test");
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private String database;
  private Migrations migrations;

  @BeforeEach
  void migrate() throws Exception {
    database = ("t_migrationlocks_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    Database db = new Database(AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + database)));
    db.prepareBlocking();
    migrations = db.migrations();
    Logger logger = (Logger) LoggerFactory.getLogger(Migrations.class);
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void drop() throws Exception {
    ((Logger) LoggerFactory.getLogger(Migrations.class)).detachAppender(log);
    try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null);
         Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /** A transaction that has read users, and so holds its ACCESS SHARE lock until it ends. */
  private Connection readerOfUsers() throws Exception {
    Connection c = DriverManager.getConnection(PG + database, "postgres", null);
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SELECT count(*) FROM users");
    }
    return c;
  }

  private boolean columnAdded() throws Exception {
    try (Connection c = DriverManager.getConnection(PG + database, "postgres", null);
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT 1 FROM information_schema.columns"
             + " WHERE table_name = 'users' AND column_name = 'lock_test'")) {
      return rs.next();
    }
  }

  private long retries() {
    return log.list.stream().filter(e -> e.getLevel() == Level.WARN).count();
  }

  @Test
  @DisplayName("behind an open transaction, a migration gives up after its lock timeout and each attempt,"
      + " rolled back, and start-up fails rather than waiting as long as the transaction")
  void givesUp() throws Exception {
    try (Connection reader = readerOfUsers()) {
      FlywayException e = assertThrows(FlywayException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> migrations.apply(WITH_ALTER, Duration.ofMillis(300), 2)));
      assertTrue(String.valueOf(e.getMessage()).contains("lock timeout"), e.getMessage());
      assertEquals(1, retries(), () -> "one retry logged: " + log.list);
      assertFalse(columnAdded());
      reader.rollback();
    }
  }

  @Test
  @DisplayName("once the transaction ends, the next attempt applies the migration")
  void appliesOnceTheLockIsFree() throws Exception {
    CompletableFuture<Void> applied;
    try (Connection reader = readerOfUsers()) {
      applied = CompletableFuture.runAsync(() -> migrations.apply(WITH_ALTER, Duration.ofMillis(300), 100));
      Poll.until(Duration.ofSeconds(15), "a first attempt timed out", () -> retries() >= 1);
      assertFalse(applied.isDone());
      reader.commit();
    }
    applied.get(20, TimeUnit.SECONDS);
    assertTrue(columnAdded());
  }
}
