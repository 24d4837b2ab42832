package dev.atrium.auth;

import dev.atrium.api.Problem;
import dev.atrium.db.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Counts failed logins per email and per client IP in Redis, shared by every node. Once either
 * count reaches its limit within the window, login answers 429 until the window runs out,
 * even with the right password. A success clears the email's count.
 */
public final class LoginThrottle {
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final int maxPerEmail;
  private final int maxPerIp;
  private final String windowSeconds;

  public LoginThrottle(RedisAPI redis, RedisKeys keys, int maxPerEmail, int maxPerIp, Duration window) {
    this.redis = redis;
    this.keys = keys;
    this.maxPerEmail = maxPerEmail;
    this.maxPerIp = maxPerIp;
    this.windowSeconds = Long.toString(window.toSeconds());
  }

  public Future<Void> check(String email, String ip) {
    String emailKey = emailKey(email);
    String ipKey = ipKey(ip);
    return redis.mget(List.of(emailKey, ipKey))
        .recover(LoginThrottle::unavailable)
        .compose(counts -> {
          if (count(counts.get(0)) >= maxPerEmail) {
            return blocked(emailKey);
          }
          if (count(counts.get(1)) >= maxPerIp) {
            return blocked(ipKey);
          }
          return Future.succeededFuture();
        });
  }

  public Future<Void> recordFailure(String email, String ip) {
    return Future.all(bump(emailKey(email)), bump(ipKey(ip))).mapEmpty();
  }

  public Future<Void> recordSuccess(String email) {
    return redis.del(List.of(emailKey(email))).mapEmpty();
  }

  private Future<Void> bump(String key) {
    return redis.incr(key).compose(n -> redis.expire(List.of(key, windowSeconds, "NX"))).mapEmpty();
  }

  private Future<Void> blocked(String key) {
    return redis.ttl(key).compose(ttl -> Future.failedFuture(Problem.retryLater(429, "rate_limited",
        "Too many failed logins; try again later", Math.max(1, ttl.toLong()))));
  }

  private static long count(Response r) {
    return r == null ? 0 : Long.parseLong(r.toString());
  }

  private String emailKey(String email) {
    // hashed so that addresses do not sit in Redis in clear text
    return keys.key("login-fail", "email", sha256(email.toLowerCase(Locale.ROOT)));
  }

  private String ipKey(String ip) {
    return keys.key("login-fail", "ip", ip);
  }

  private static <T> Future<T> unavailable(Throwable t) {
    return Future.failedFuture(Problem.retryLater(503, "dependency_unavailable", "Rate-limit store unavailable", 1));
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
