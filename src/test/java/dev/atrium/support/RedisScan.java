package dev.atrium.support;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys of the machine's shared Redis by pattern, for tests that count their own keys or leave
 * none behind (a test class's keys all start with its ATRIUM_REDIS_PREFIX).
 */
public final class RedisScan {
  private RedisScan() {
  }

  /** Every key matching {@code pattern} (SCAN, so Redis is never blocked). */
  public static List<String> keys(Vertx vertx, String pattern) throws Exception {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    try {
      List<String> keys = new ArrayList<>();
      String cursor = "0";
      do {
        Response page = send(redis, Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern)
            .arg("COUNT").arg(10_000));
        cursor = page.get(0).toString();
        page.get(1).forEach(k -> keys.add(k.toString()));
      } while (!"0".equals(cursor));
      return keys;
    } finally {
      redis.close();
    }
  }

  /** Removes every key matching {@code pattern}; answers how many there were. */
  public static int unlink(Vertx vertx, String pattern) throws Exception {
    List<String> keys = keys(vertx, pattern);
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    try {
      for (int from = 0; from < keys.size(); from += 1_000) {
        Request unlink = Request.cmd(Command.UNLINK);
        keys.subList(from, Math.min(keys.size(), from + 1_000)).forEach(unlink::arg);
        send(redis, unlink);
      }
      return keys.size();
    } finally {
      redis.close();
    }
  }

  /** Sends one command on a client of its own, for a test that reads what a node left in Redis. */
  public static Response send(Vertx vertx, Request request) throws Exception {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    try {
      return send(redis, request);
    } finally {
      redis.close();
    }
  }

  private static Response send(Redis redis, Request request) throws Exception {
    return redis.send(request).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
