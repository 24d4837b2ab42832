package dev.atrium.bench;

import dev.atrium.keys.JwtKeys;
import dev.atrium.keys.TokenKeys;
import dev.atrium.auth.TokenService;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load client for bench/push.sh: holds N authenticated sockets subscribed to notifications on
 * one node, measures the node's heap with and without them, then times broadcasts from the
 * REST call to each socket's frame. Tokens are minted with the node's own key (the same code
 * that signs logins), since N Argon2 logins would measure hashing, not push.
 *
 * <p>Arguments: host port dataDir jdbcUrl sockets rounds adminEmail adminPassword serverPid
 */
public final class PushLoad {
  private PushLoad() {
  }

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    Path dataDir = Path.of(args[2]);
    String jdbc = args[3];
    int n = Integer.parseInt(args[4]);
    int rounds = Integer.parseInt(args[5]);
    String adminEmail = args[6];
    String adminPassword = args[7];
    String pid = args[8];

    List<String> users = users(jdbc, n);
    Vertx vertx = Vertx.vertx();
    TokenService tokens = new TokenService(TokenKeys.fixed(vertx, TokenService.ISSUER, TokenService.AUDIENCE,
        signingKey(jdbc)),
        Duration.ofHours(2));
    String base = "http://" + host + ":" + port;

    long heapBefore = heapAfterGc(base, pid);
    System.out.printf("server heap after GC, no sockets: %.1f MB%n", heapBefore / 1e6);

    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(n + 10).setConnectTimeout(30_000));
    AtomicInteger ready = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicLong roundStart = new AtomicLong();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    List<WebSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
    long c0 = System.nanoTime();
    // at most 256 handshakes in flight: a burst of 10,000 SYNs only measures the accept backlog
    AtomicInteger next = new AtomicInteger();
    Promise<Void> allOpen = Promise.promise();
    Runnable[] open = new Runnable[1];
    open[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      String token = tokens.issueAccess(users.get(i), UUID.randomUUID().toString()).token();
      client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws")
              .setAllowOriginHeader(false).addHeader("Authorization", "Bearer " + token))
          .compose(ws -> {
            sockets.add(ws);
            Promise<Void> subscribed = Promise.promise();
            ws.textMessageHandler(text -> {
              if (text.startsWith("{\"type\":\"event\"")) {
                latencies.add(System.nanoTime() - roundStart.get());
              } else if (text.contains("\"of\":\"auth\"")) {
                ws.writeTextMessage("{\"type\":\"subscribe\",\"topic\":\"notifications\"}");
              } else if (text.contains("\"of\":\"subscribe\"")) {
                subscribed.tryComplete();
              }
            });
            return subscribed.future();
          })
          .onComplete(ar -> {
            if (ar.failed()) {
              failed.incrementAndGet();
            }
            if (ready.incrementAndGet() == n) {
              allOpen.tryComplete();
            }
            open[0].run();
          });
    };
    for (int i = 0; i < Math.min(256, n); i++) {
      vertx.runOnContext(v -> open[0].run());
    }
    allOpen.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    double openSeconds = (System.nanoTime() - c0) / 1e9;
    System.out.printf("sockets: %d open, %d failed, in %.1f s%n", n - failed.get(), failed.get(), openSeconds);

    long heapWith = heapAfterGc(base, pid);
    System.out.printf("server heap after GC, %d sockets: %.1f MB (%.1f KB per socket)%n", n - failed.get(),
        heapWith / 1e6, (heapWith - heapBefore) / 1e3 / Math.max(1, n - failed.get()));

    String admin = login(base, adminEmail, adminPassword);
    int expected = n - failed.get();
    for (int r = 1; r <= rounds; r++) {
      latencies.clear();
      roundStart.set(System.nanoTime());
      int status = post(base + "/api/notifications/send", admin,
          new JsonObject().put("broadcast", true).put("title", "bench round " + r).put("body", "hello"));
      double answeredMs = (System.nanoTime() - roundStart.get()) / 1e6;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (latencies.size() < expected && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("broadcast %d (HTTP %d in %.0f ms): delivered %d/%d  first %.0f ms  p50 %.0f ms  p90 %.0f ms"
          + "  p99 %.0f ms  max %.0f ms%n", r, status, answeredMs, sorted.length, expected, pct(sorted, 0),
          pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 100));
    }
    System.out.printf("server heap used now (no GC): %.1f MB%n", heapUsed(base) / 1e6);
    sockets.forEach(WebSocket::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** N active bench users (created with one statement; they never log in with a password). */
  private static List<String> users(String jdbc, int n) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null); Statement st = c.createStatement()) {
      st.execute("INSERT INTO users (email, username, password_hash) SELECT 'push-bench-' || g || '@bench.local',"
          + " 'push-bench-' || g, '!' FROM generate_series(1, " + n + ") g ON CONFLICT DO NOTHING");
      List<String> ids = new ArrayList<>(n);
      try (ResultSet rs = st.executeQuery("SELECT id FROM users WHERE email LIKE 'push-bench-%' ORDER BY email LIMIT " + n)) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    }
  }

  private static long heapAfterGc(String base, String pid) throws Exception {
    new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start().waitFor(30, TimeUnit.SECONDS);
    return heapUsed(base);
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static long heapUsed(String base) throws Exception {
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)$").matcher(metrics);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return (long) sum;
  }

  private static String login(String base, String email, String password) throws Exception {
    String body = new JsonObject().put("email", email).put("password", password).encode();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/login"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getString("access");
  }

  private static int post(String url, String bearer, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** The node's current token key, read from its database (keys live in PostgreSQL). */
  static JwtKeys signingKey(String jdbc) throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc, "postgres", null);
         java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT material FROM signing_keys"
             + " WHERE purpose = 'token' AND activates_at <= now() ORDER BY activates_at DESC LIMIT 1")) {
      rs.next();
      return JwtKeys.fromPem(rs.getString(1));
    }
  }
}
