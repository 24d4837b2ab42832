package dev.atrium.support;

import dev.atrium.Application;
import dev.atrium.config.AppConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Atrium node for a test class: its own freshly created PostgreSQL database, its own
 * Redis key prefix, its own data directory, on a free port. {@link #join()} starts another
 * node on the same database and Redis (a second node behind the same gateway).
 *
 * <p>It is the JUnit 5 extension every test class starts its node with:
 * <pre>
 * &#64;RegisterExtension
 * static final TestServer server = TestServer.node(Map.of("ATRIUM_ACCESS_TTL", "3s"));
 * </pre>
 * The node starts before the class's {@code @BeforeAll} methods and stops, with every node it
 * {@linkplain #join() joined}, after its {@code @AfterAll} methods; its database is dropped then.
 */
public final class TestServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  public static final String ADMIN_EMAIL = "admin@atrium.test";
  public static final String ADMIN_PASSWORD = "admin-password-for-tests";
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

  private final Map<String, String> env;
  private final boolean ownsDatabase;
  private final List<TestServer> joined = new CopyOnWriteArrayList<>();
  private final Map<String, String> overrides;
  private final boolean withSecond;
  private TestServer second;
  private String database;
  private Application app;
  private Vertx clients;
  private Accounts.Login admin;

  private TestServer(Map<String, String> env, String database, boolean ownsDatabase) {
    this.env = env;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
    this.overrides = Map.of();
    this.withSecond = false;
  }

  private TestServer(Map<String, String> overrides, boolean withSecond) {
    this.env = new HashMap<>();
    this.ownsDatabase = true;
    this.overrides = Map.copyOf(overrides);
    this.withSecond = withSecond;
  }

  /** A node for a test class, started by JUnit before the class's tests (see the class comment). */
  public static TestServer node() {
    return node(Map.of());
  }

  /** Same, with some settings replaced ({@code ATRIUM_*} variables). */
  public static TestServer node(Map<String, String> overrides) {
    return new TestServer(overrides, false);
  }

  /**
   * A node and a {@linkplain #second() second one} joined to it, both started before the class's
   * tests, for tests of what one node's change does on another: the second node must be up (and
   * caching) before the change, so it is not started on first use.
   */
  public static TestServer twoNodes() {
    return new TestServer(Map.of(), true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (app != null) {
      throw new IllegalStateException("a TestServer extension must be a static field, registered once");
    }
    database = ("t_" + context.getRequiredTestClass().getSimpleName() + "_"
        + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    env.put("ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + database);
    env.put("ATRIUM_REDIS_PREFIX", "atrium-test:" + database + ":");
    env.put("ATRIUM_DATA_DIR", tempDir(database).toString());
    env.put("ATRIUM_ADMIN_EMAIL", ADMIN_EMAIL);
    env.put("ATRIUM_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.put("ATRIUM_API_INSTANCES", "2");
    env.put("ATRIUM_HASH_WORKERS", "2");
    // Every test client comes from 127.0.0.1; tests that check the per-IP limit set a low one
    // and send X-Forwarded-For.
    env.put("ATRIUM_LOGIN_MAX_FAILURES_PER_IP", "100000");
    env.put("ATRIUM_TRUST_PROXY", "true");
    env.put("ATRIUM_SHUTDOWN_GRACE", "2s");
    // "{database}" in an override stands for this class's database (a URL through a test proxy)
    overrides.forEach((name, value) -> env.put(name, value.replace("{database}", database)));
    boot();
    if (withSecond) {
      second = join();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * Another node on the same database, Redis prefix and data directory, on its own port; it is
   * stopped with this one (closing it earlier is fine).
   */
  public TestServer join() {
    TestServer other = new TestServer(new HashMap<>(env), database, false).boot();
    joined.add(other);
    return other;
  }

  /**
   * Another node on the same database and Redis prefix with some settings replaced (such as its
   * own {@code ATRIUM_DATA_DIR}); stopped with this one.
   */
  public TestServer join(Map<String, String> overrides) {
    Map<String, String> other = new HashMap<>(env);
    other.putAll(overrides);
    TestServer node = new TestServer(other, database, false).boot();
    joined.add(node);
    return node;
  }

  /** Stops and starts this node again on the same port, database and data directory. */
  public TestServer restart() {
    stopNode();
    app = new Application(AppConfig.fromEnv(env));
    await(app.start());
    return this;
  }

  private TestServer boot() {
    env.put("ATRIUM_HTTP_HOST", "127.0.0.1");
    env.put("ATRIUM_HTTP_PORT", Integer.toString(freePort()));
    app = new Application(AppConfig.fromEnv(env));
    await(app.start());
    return this;
  }

  public int port() {
    return Integer.parseInt(env.get("ATRIUM_HTTP_PORT"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public Http http() {
    return new Http(baseUrl());
  }

  public String database() {
    return database;
  }

  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  public Application application() {
    return app;
  }

  public Path dataDir() {
    return Path.of(env.get("ATRIUM_DATA_DIR"));
  }

  /** Runs a query on this node's database and returns the rows, for asserting what was stored. */
  public List<Map<String, Object>> sql(String query, Object... params) {
    try (Connection c = DriverManager.getConnection(PG + database, "postgres", null);
         PreparedStatement st = c.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        st.setObject(i + 1, params[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      if (st.execute()) {
        try (ResultSet rs = st.getResultSet()) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              row.put(md.getColumnLabel(i), rs.getObject(i));
            }
            rows.add(row);
          }
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The node {@link #twoNodes()} joined to this one. */
  public TestServer second() {
    if (second == null) {
      throw new IllegalStateException("only a node declared with TestServer.twoNodes() has a second node");
    }
    return second;
  }

  /** The first superuser, signed in once for the class (on first use). */
  public synchronized Accounts.Login admin() {
    if (admin == null) {
      admin = Accounts.admin(this);
    }
    return admin;
  }

  /**
   * A Vert.x instance of the class's own for its clients (WebSockets, raw HTTP), created on first
   * use and closed with the node.
   */
  public synchronized Vertx clientVertx() {
    if (clients == null) {
      clients = Vertx.vertx();
    }
    return clients;
  }

  public void stopNode() {
    if (app != null) {
      await(app.stop());
      app = null;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (clients != null) {
        await(clients.close());
        clients = null;
      }
    }
    for (TestServer other : joined) {
      other.stopNode();
    }
    stopNode();
    if (ownsDatabase && database != null) {
      deleteRecursively(dataDir());
      try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", null);
           Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // a start or stop that hangs is rare and not reproducible on demand: the threads' stacks
      // name what it waits on
      StringBuilder dump = new StringBuilder("node did not start or stop within 60 s; threads:\n");
      Thread.getAllStackTraces().forEach((t, stack) -> {
        dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
        for (StackTraceElement frame : stack) {
          dump.append("    at ").append(frame).append('\n');
        }
      });
      System.err.println(dump);
      throw new IllegalStateException("node did not start or stop within 60 s (thread dump on stderr)", e);
    } catch (Exception e) {
      throw new IllegalStateException("node did not start or stop: " + e.getMessage(), e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path tempDir(String name) {
    try {
      return Files.createTempDirectory("atrium-" + name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
