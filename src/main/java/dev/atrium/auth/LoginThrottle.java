package dev.atrium.auth;

import dev.atrium.access.ApiKeyAuth;
import dev.atrium.problem.Problem;
import dev.atrium.db.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Login attempts counted in Redis, shared by every node, before the password is checked: per
 * (email, client IP) for the lockout, with a higher ceiling per email across all addresses
 * (so one address cannot lock everyone out of an account) and a ceiling per address (so one
 * address cannot spray many accounts). Checking and counting is one Lua script, so N parallel
 * attempts cannot exceed a limit, and every counter always gets its expiry in the same step.
 * A success clears the email's counts and gives the address its attempt back. Emails are counted in the
 * one normal form that login looks up ({@link Emails#key}).
 */
public final class LoginThrottle {
  /** KEYS: pair, email, ip. ARGV: their limits, then the window in ms. Returns 0, or the ms until a full one frees. */
  private static final String ATTEMPT = """
      for i = 1, 3 do
        local n = tonumber(redis.call('GET', KEYS[i]) or '0')
        if n >= tonumber(ARGV[i]) then
          local ttl = redis.call('PTTL', KEYS[i])
          if ttl < 0 then
            redis.call('PEXPIRE', KEYS[i], ARGV[4])
            ttl = tonumber(ARGV[4])
          end
          return ttl
        end
      end
      for i = 1, 3 do
        redis.call('INCR', KEYS[i])
        if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
      end
      return 0""";
  /** KEYS: pair, email, ip. Forgets the email's failures and gives the address its attempt back. */
  private static final String SUCCEEDED = """
      redis.call('DEL', KEYS[1], KEYS[2])
      if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
      return 0""";

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final String maxPerPair;
  private final String maxPerEmail;
  private final String maxPerIp;
  private final String windowMs;

  public LoginThrottle(RedisAPI redis, RedisKeys keys, int maxPerPair, int maxPerEmail, int maxPerIp, Duration window) {
    this.redis = redis;
    this.keys = keys;
    this.maxPerPair = Integer.toString(maxPerPair);
    this.maxPerEmail = Integer.toString(Math.max(maxPerEmail, maxPerPair));
    this.maxPerIp = Integer.toString(maxPerIp);
    this.windowMs = Long.toString(window.toMillis());
  }

  /** Counts one attempt, or fails with 429 + Retry-After when a limit is reached (the attempt is not counted). */
  public Future<Void> attempt(String email, String ip) {
    List<String> args = List.of(ATTEMPT, "3", pairKey(email, ip), emailKey(email), ipKey(ip),
        maxPerPair, maxPerEmail, maxPerIp, windowMs);
    return redis.eval(args)
        .recover(LoginThrottle::unavailable)
        .compose(r -> {
          long waitMs = r.toLong();
          if (waitMs <= 0) {
            return Future.succeededFuture();
          }
          return Future.failedFuture(Problem.retryLater(429, "rate_limited", "Too many failed logins; try again later",
              (waitMs + 999) / 1000));
        });
  }

  /** The attempt succeeded: it was not a failure. */
  public Future<Void> succeeded(String email, String ip) {
    return redis.eval(List.of(SUCCEEDED, "3", pairKey(email, ip), emailKey(email), ipKey(ip))).mapEmpty();
  }

  private String pairKey(String email, String ip) {
    return keys.key("login-fail", "pair", sha256(Emails.key(email) + "\n" + ip));
  }

  private String emailKey(String email) {
    // hashed so that addresses do not sit in Redis in clear text
    return keys.key("login-fail", "email", sha256(Emails.key(email)));
  }

  private String ipKey(String ip) {
    return keys.key("login-fail", "ip", ip);
  }

  private static <T> Future<T> unavailable(Throwable t) {
    return Future.failedFuture(Problem.retryLater(503, "dependency_unavailable", "Rate-limit store unavailable", 1));
  }

  private static String sha256(String s) {
    return HexFormat.of().formatHex(ApiKeyAuth.digest(s));
  }
}
