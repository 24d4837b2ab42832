package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What PostgreSQL bounds on the node's sessions: a session left idle inside a transaction (its
 * node cut off mid-transaction) is ended, and its locks released, after
 * ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT; sessions idle outside a transaction are left alone.
 */
class SessionBoundsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(); // for its database

  private final Vertx vertx = Vertx.vertx();
  private final AppConfig config = AppConfig.fromEnv(Map.of(
      "ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + server.database(),
      "ATRIUM_EXPORT_STALL_TIMEOUT", "500ms",
      "ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT", "1s"));
  private final Database database = new Database(config);

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a transaction left idle holding a lock is ended by PostgreSQL: the lock is released,"
      + " and a session idle outside a transaction stays")
  void idleTransactionIsEnded() throws Exception {
    Pool pool = database.createPool(vertx);
    SqlConnection idle = await(pool.getConnection());
    int idlePid = pid(idle);
    SqlConnection holder = await(pool.getConnection());
    await(holder.begin());
    int holderPid = pid(holder);
    await(holder.query("LOCK TABLE audit_log IN SHARE MODE").execute());
    assertEquals("idle in transaction", backend(holderPid));
    assertTrue(locksOf(holderPid).contains("ShareLock"), locksOf(holderPid));

    Poll.until(Duration.ofSeconds(15), "the idle transaction's backend is gone", () -> backend(holderPid).isEmpty());

    assertEquals("", locksOf(holderPid), "its locks went with it");
    assertThrows(ExecutionException.class, () -> await(holder.query("SELECT 1").execute()),
        "the node's connection is closed, not left to run the rest of the transaction");
    assertEquals(idlePid, pid(idle), "a session idle outside a transaction is not ended");
  }

  @Test
  @DisplayName("every client's sessions carry the bound and PostgreSQL's keepalive from their first statement")
  void everyClientCarriesTheSettings() throws Exception {
    List<SqlClient> clients = List.of(database.createPool(vertx), database.createIngestPool(vertx, 1),
        database.createPipelinedClient(vertx));
    for (SqlClient client : clients) {
      var row = await(client.query("SELECT current_setting('idle_in_transaction_session_timeout') AS idle,"
          + " current_setting('tcp_keepalives_idle') AS ka_idle, current_setting('tcp_keepalives_interval') AS ka_interval,"
          + " current_setting('tcp_keepalives_count') AS ka_count").execute()).iterator().next();
      assertEquals("1s", row.getString("idle"));
      assertEquals("60", row.getString("ka_idle"));
      assertEquals("10", row.getString("ka_interval"));
      assertEquals("6", row.getString("ka_count"));
    }
  }

  private static int pid(SqlConnection c) throws Exception {
    return await(c.query("SELECT pg_backend_pid() AS pid").execute()).iterator().next().getInteger("pid");
  }

  /** The backend's state in pg_stat_activity, or "" when it is gone. */
  private static String backend(int pid) {
    return firstValue("SELECT state FROM pg_stat_activity WHERE pid = ?", pid);
  }

  private static String locksOf(int pid) {
    return firstValue("SELECT string_agg(mode, ',') FROM pg_locks WHERE pid = ?", pid);
  }

  private static String firstValue(String sql, int pid) {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", null);
         PreparedStatement st = c.prepareStatement(sql)) {
      st.setInt(1, pid);
      try (ResultSet rs = st.executeQuery()) {
        String v = rs.next() ? rs.getString(1) : null;
        return v == null ? "" : v;
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
