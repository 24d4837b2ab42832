package dev.atrium.db;

import dev.atrium.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the database when it is missing, applies the Flyway migrations, and builds the
 * reactive pool. The first two are blocking JDBC work and run once at start-up on a worker.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /**
   * Longest wait for a pooled connection before the request is answered 503. It also bounds a
   * connect to a host that never answers (5.0.7 ignores a connect timeout on the pool's
   * NetClientOptions, vertx-sql-client#1608).
   */
  static final int CONNECTION_WAIT_SECONDS = 5;
  /**
   * Statements one pipelined connection carries at once. A long statement holds up those sent
   * after it on its connection, so the depth stays small; the pool opens the next connection
   * only when every open one has this many in flight.
   */
  static final int PIPELINE_DEPTH = 16;
  static final String MIGRATIONS = "classpath:db/migration";
  /**
   * PostgreSQL's keepalive on each of the node's sessions: idle 60 s, then a probe every 10 s,
   * six unanswered and the backend ends. The OS default of two hours would leave a vanished
   * node's backends holding connection slots for that long.
   */
  private static final Map<String, String> SERVER_KEEPALIVE = Map.of(
      "tcp_keepalives_idle", "60", "tcp_keepalives_interval", "10", "tcp_keepalives_count", "6");

  private final AppConfig config;
  private final PgTls tls;

  public Database(AppConfig config) {
    this.config = config;
    this.tls = new PgTls(config.dbTls());
  }

  /** Blocking: call from a worker thread or main, never from an event loop. */
  public void prepareBlocking() throws SQLException {
    createIfMissing();
    migrations().apply(List.of(MIGRATIONS), Migrations.LOCK_TIMEOUT, Migrations.ATTEMPTS);
  }

  Migrations migrations() {
    return new Migrations(jdbcUrl(config.dbName()), user(), password());
  }

  /** The pool: transactions, streamed reads, and statements that may run long. */
  public Pool createPool(Vertx vertx) {
    return pool(vertx, config.dbPoolSize(), "atrium-pg", "atrium");
  }

  /**
   * The group commit's own connections ({@code size}, one per insert in flight), apart from the
   * pool: a pool whose connections are all busy (long exports, a lock) does not hold up commits,
   * and a burst of activities does not take connections from requests. Their I/O runs on the
   * event loop of the flusher, the one context that uses them.
   */
  public Pool createIngestPool(Vertx vertx, int size) {
    return pool(vertx, size, "atrium-pg-ingest", "atrium-ingest");
  }

  /** {@code poolName} labels the pool's meters, {@code applicationName} its backends in pg_stat_activity. */
  private Pool pool(Vertx vertx, int size, String poolName, String applicationName) {
    return PgBuilder.pool()
        .with(poolOptions(size, poolName))
        .connectingTo(connectOptions(applicationName))
        .using(vertx)
        .build();
  }

  /**
   * The pipelined client, for the short single statements of request paths: up to
   * {@link #PIPELINE_DEPTH} statements share one connection's round trip, so PostgreSQL reads
   * several per wake-up and the node sends fewer writes (users page 1: 1.3-1.8 times the
   * requests per second of the pool on one machine, at about half the PostgreSQL CPU per
   * request; bench/README.md). Not for transactions: a pipelined client has no connection to
   * hold one on. Each event loop has connections of its own ({@link PerLoopClient}), up to
   * {@code ATRIUM_DB_PIPELINED_CONNECTIONS}, opened when that loop first needs them.
   */
  public SqlClient createPipelinedClient(Vertx vertx) {
    return new PerLoopClient(vertx, () -> PgBuilder.client()
        // with(PoolOptions) is what turns pipelining on (VERTX5-NOTES). The loops' pools share
        // the name, so their counts, in-use and queue meters add up to the node's (only
        // vertx_pool_ratio divides by one loop's size)
        .with(poolOptions(config.dbPipelinedConnections(), "atrium-pg-pipelined"))
        .connectingTo(connectOptions("atrium-pipelined").setPipeliningLimit(PIPELINE_DEPTH))
        .using(vertx)
        .build());
  }

  /**
   * A request waits at most CONNECTION_WAIT_SECONDS for a connection: when PostgreSQL is
   * unreachable it then fails (503 dependency_unavailable) instead of queueing for the default 30 s.
   */
  private static PoolOptions poolOptions(int size, String name) {
    return new PoolOptions().setMaxSize(size).setName(name).setMaxWaitQueueSize(4096)
        .setConnectionTimeout(CONNECTION_WAIT_SECONDS).setConnectionTimeoutUnit(TimeUnit.SECONDS);
  }

  /**
   * {@code applicationName} shows in pg_stat_activity which of the clients a backend serves. The
   * session settings ride in the startup message, so every connection has them from its first
   * statement: a node cut off from PostgreSQL in the middle of a transaction (a partition, a
   * frozen VM) has that transaction ended, and its row locks released, after
   * {@code ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT} instead of when the OS gives up on the socket.
   */
  private PgConnectOptions connectOptions(String applicationName) {
    URI u = config.dbUrl();
    PgConnectOptions options = new PgConnectOptions()
        .addProperty("application_name", applicationName)
        .addProperty("idle_in_transaction_session_timeout",
            Long.toString(config.dbIdleInTransactionTimeout().toMillis()))
        .setHost(u.getHost())
        .setPort(u.getPort() > 0 ? u.getPort() : 5432)
        .setDatabase(config.dbName())
        .setUser(user())
        .setCachePreparedStatements(true);
    SERVER_KEEPALIVE.forEach(options::addProperty);
    tls.apply(options);
    String password = password();
    if (password != null) {
      options.setPassword(password);
    }
    return options;
  }

  private void createIfMissing() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), props());
         PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, config.dbName());
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        create.execute("CREATE DATABASE \"" + config.dbName().replace("\"", "\"\"") + "\"");
        LOG.info("Created database {}", config.dbName());
      } catch (SQLException e) {
        if (!"42P04".equals(e.getSQLState())) { // created concurrently by another node: fine
          throw e;
        }
      }
    }
  }

  private Properties props() {
    Properties p = new Properties();
    p.setProperty("user", user());
    if (password() != null) {
      p.setProperty("password", password());
    }
    return p;
  }

  private String jdbcUrl(String database) {
    URI u = config.dbUrl();
    return "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + "/" + database
        + tls.jdbcQuery();
  }

  private String user() {
    String info = config.dbUrl().getUserInfo();
    if (info == null) {
      return "postgres";
    }
    return decode(info.contains(":") ? info.substring(0, info.indexOf(':')) : info);
  }

  private String password() {
    String info = config.dbUrl().getUserInfo();
    return info != null && info.contains(":") ? decode(info.substring(info.indexOf(':') + 1)) : null;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
