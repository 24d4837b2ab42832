package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.support.TlsFront;
import dev.atrium.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.sqlclient.SqlClient;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS to PostgreSQL through ATRIUM_DB_URL's sslmode and sslrootcert, against a TLS front that
 * relays to the machine's PostgreSQL and refuses a session that starts in clear: the migrations'
 * JDBC connections and every reactive client take the same setting and check the same things.
 */
class DbTlsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(); // for its migrated database

  @RegisterExtension
  static final TlsFront front = TlsFront.postgres();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Database database(String host, String query) {
    return new Database(AppConfig.fromEnv(Map.of("ATRIUM_DB_URL",
        "postgresql://postgres@" + host + ":" + front.port() + "/" + server.database() + query)));
  }

  private List<SqlClient> clients(Database db) {
    return List.of(db.createPool(vertx), db.createIngestPool(vertx, 1), db.createPipelinedClient(vertx));
  }

  private static int one(SqlClient client) throws Exception {
    return client.query("SELECT 1 AS one").execute().map(rows -> rows.iterator().next().getInteger("one"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("verify-full with the server's root: start-up's JDBC and every client connect over TLS, none in clear")
  void verifyFull() throws Exception {
    int before = front.tlsSessions();
    Database db = database("localhost", "?sslmode=verify-full&sslrootcert=" + front.certificatePath());

    db.prepareBlocking();
    for (SqlClient client : clients(db)) {
      assertEquals(1, one(client));
    }

    assertTrue(front.tlsSessions() - before >= 5, "TLS sessions: " + (front.tlsSessions() - before));
    assertEquals(0, front.plainRefused());
  }

  @Test
  @DisplayName("without sslmode the node speaks in clear, as before, and such a server refuses it")
  void disabledByDefault() {
    int refusedBefore = front.plainRefused();
    Database db = database("localhost", "");

    assertThrows(ExecutionException.class, () -> one(db.createPool(vertx)));
    assertThrows(SQLException.class, db::prepareBlocking);
    assertTrue(front.plainRefused() - refusedBefore >= 2, "plain sessions refused: " + (front.plainRefused() - refusedBefore));
  }

  @Test
  @DisplayName("verify-full refuses a certificate for another name (localhost's, reached as 127.0.0.1), in JDBC and Vert.x alike")
  void verifyFullChecksTheName() {
    Database db = database("127.0.0.1", "?sslmode=verify-full&sslrootcert=" + front.certificatePath());

    SQLException jdbc = assertThrows(SQLException.class, db::prepareBlocking);
    assertTrue(jdbc.getMessage().contains("hostname 127.0.0.1 could not be verified"), jdbc.getMessage());
    int before = front.tlsSessions();
    for (SqlClient client : clients(db)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> one(client));
      assertEquals("SSL handshake failed", e.getCause().getMessage());
    }
    assertEquals(before, front.tlsSessions(), "Vert.x checks the name in the handshake: nothing relayed");
    // verify-ca checks the chain only, so the same address is accepted
    Database caOnly = database("127.0.0.1", "?sslmode=verify-ca&sslrootcert=" + front.certificatePath());
    assertEquals(1, assertDoesNotFail(() -> one(caOnly.createPool(vertx))));
  }

  @Test
  @DisplayName("verify-ca refuses a server whose certificate another authority signed; require, with no root, checks nothing")
  void verifyCaChecksTheAuthority() throws Exception {
    SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
    try {
      Database db = database("localhost", "?sslmode=verify-ca&sslrootcert=" + other.certificatePath());
      assertThrows(SQLException.class, db::prepareBlocking);
      for (SqlClient client : clients(db)) {
        assertThrows(ExecutionException.class, () -> one(client));
      }
      // the JVM's own authorities do not include a self-signed certificate either
      Database system = database("localhost", "?sslmode=verify-full&sslrootcert=system");
      assertThrows(ExecutionException.class, () -> one(system.createPool(vertx)));
      assertThrows(SQLException.class, system::prepareBlocking);
    } finally {
      other.delete();
    }
    Database unchecked = database("127.0.0.1", "?sslmode=require");
    unchecked.prepareBlocking();
    for (SqlClient client : clients(unchecked)) {
      assertEquals(1, one(client));
    }
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T assertDoesNotFail(Call<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new AssertionError("failed: " + e, e);
    }
  }
}
