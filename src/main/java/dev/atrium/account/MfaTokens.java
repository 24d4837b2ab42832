package dev.atrium.account;

import dev.atrium.db.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The token a password check hands out when the account has TOTP on: valid 5 minutes, for 5
 * code attempts, and spent by the sign-in it completes. Kept in Redis under its hash: losing it
 * only means typing the password again.
 */
final class MfaTokens {
  static final Duration TTL = Duration.ofMinutes(5);
  static final int MAX_ATTEMPTS = 5;
  // counts the attempt only if the token exists, so an unknown token never creates a key
  private static final String ATTEMPT = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
      local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
      return {redis.call('HGET', KEYS[1], 'user'), redis.call('HGET', KEYS[1], 'email'), n}""";

  private final RedisAPI redis;
  private final RedisKeys keys;

  MfaTokens(RedisAPI redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  record Challenge(UUID userId, String email) {
  }

  Future<String> create(UUID userId, String email) {
    String token = Secrets.token();
    String key = key(token);
    return redis.hset(List.of(key, "user", userId.toString(), "email", email, "attempts", "0"))
        .compose(r -> redis.expire(List.of(key, Long.toString(TTL.toSeconds()))))
        .map(token);
  }

  /** Counts one attempt; empty when the token is unknown, expired, spent or out of attempts. */
  Future<Optional<Challenge>> attempt(String token) {
    return redis.eval(List.of(ATTEMPT, "1", key(token))).map(r -> {
      if (r == null || r.size() < 3 || r.get(2).toInteger() > MAX_ATTEMPTS) {
        return Optional.empty();
      }
      Response user = r.get(0);
      return Optional.of(new Challenge(UUID.fromString(user.toString()), r.get(1).toString()));
    });
  }

  /** Spends the token; true only for the one caller that removed it. */
  Future<Boolean> spend(String token) {
    return redis.del(List.of(key(token))).map(r -> r.toInteger() == 1);
  }

  private String key(String token) {
    return keys.key("mfa-token", Secrets.hex(Secrets.hash(token)));
  }
}
