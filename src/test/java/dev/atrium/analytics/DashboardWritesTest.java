package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the dashboard's counters reach Redis; its own node, so that its counts are its own. */
class DashboardWritesTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  @Test
  @DisplayName("the counters of many commits reach Redis together, not one write per commit")
  void countersWrittenTogether() throws Exception {
    Accounts.Login who = Accounts.registerAndLogin(server, "dash-burst");
    Redis redis = Redis.createClient(server.application().vertx(), "redis://127.0.0.1:6379/0");
    try {
      String key = server.env().get("ATRIUM_REDIS_PREFIX") + "analytics:top:" + LocalDate.now(ZoneOffset.UTC);
      long before = zincrbyCalls(redis);
      int sent = 40;
      for (int i = 0; i < sent; i++) {
        // one at a time: each request is its own commit
        assertEquals(202, who.http(server).post("/api/analytics/track-activity",
            new JsonObject().put("action", "dash_burst")).status());
      }
      Poll.until(Duration.ofSeconds(5), "Redis counts every activity of the burst",
          () -> score(redis, key, "dash_burst") == sent);
      long writes = zincrbyCalls(redis) - before;
      // a write sends one ZINCRBY per action: the 40 commits went out in a few writes
      assertTrue(writes >= 1 && writes <= sent / 4, "ZINCRBY calls for " + sent + " commits: " + writes);
    } finally {
      redis.close();
    }
  }

  /** Redis counts calls per command for the whole server; no other test runs beside this one. */
  private static long zincrbyCalls(Redis redis) throws Exception {
    String info = redis.send(Request.cmd(Command.INFO).arg("commandstats")).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS).toString();
    return info.lines().filter(l -> l.startsWith("cmdstat_zincrby:")).findFirst()
        .map(l -> Long.parseLong(l.replaceAll("^cmdstat_zincrby:calls=(\\d+),.*", "$1"))).orElse(0L);
  }

  private static long score(Redis redis, String key, String member) {
    try {
      Response r = redis.send(Request.cmd(Command.ZSCORE).arg(key).arg(member)).toCompletionStage()
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      return r == null ? 0 : r.toDouble().longValue();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
