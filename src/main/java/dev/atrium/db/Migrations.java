package dev.atrium.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the Flyway migrations without stopping the other nodes. A migration that alters a
 * table waits for every open transaction that has read it (a long export, say), and while it
 * waits every later read of that table queues behind it: in a rolling deploy every node's
 * requests would stall for as long as the longest transaction. So a migration's statement waits
 * at most {@code lockTimeout} for a lock; then that migration (its own transaction) is rolled
 * back, and it is tried again after a pause of the same length, up to {@code attempts} times,
 * before start-up fails. Blocking: a worker thread or main only.
 */
final class Migrations {
  static final Duration LOCK_TIMEOUT = Duration.ofSeconds(5);
  static final int ATTEMPTS = 12;
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private final String jdbcUrl;
  private final String user;
  private final String password;

  /** {@code jdbcUrl} already has a query (its TLS parameters). */
  Migrations(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  void apply(List<String> locations, Duration lockTimeout, int attempts) {
    String url = jdbcUrl + "&options=" + URLEncoder.encode("-c lock_timeout=" + lockTimeout.toMillis(), StandardCharsets.UTF_8);
    for (int attempt = 1; ; attempt++) {
      try {
        var result = Flyway.configure().dataSource(url, user, password)
            .locations(locations.toArray(String[]::new)).load().migrate();
        if (result.migrationsExecuted > 0) {
          LOG.info("Applied {} migration(s); schema now at version {}", result.migrationsExecuted,
              result.targetSchemaVersion);
        }
        return;
      } catch (FlywayException e) {
        if (attempt >= attempts || !lockNotAvailable(e)) {
          throw e;
        }
        LOG.warn("A migration waited {} ms for a lock another session holds (attempt {} of {}); trying again",
            lockTimeout.toMillis(), attempt, attempts);
        pause(lockTimeout);
      }
    }
  }

  private static boolean lockNotAvailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted between migration attempts", e);
    }
  }
}
