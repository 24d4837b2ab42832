package dev.atrium.account;

import dev.atrium.config.MailSettings;
import dev.atrium.db.RedisKeys;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Limits how many code mails go to one address and are asked for from one client IP, in Redis
 * (shared by every node). Each counter is bumped and given its expiry in one script, so a lost
 * EXPIRE can never leave a counter that blocks forever.
 */
final class SendThrottle {
  private static final String SCRIPT = """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
      return n""";

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final MailSettings.CodeLimits limits;

  SendThrottle(RedisAPI redis, RedisKeys keys, MailSettings.CodeLimits limits) {
    this.redis = redis;
    this.keys = keys;
    this.limits = limits;
  }

  /** How long a client over a limit should wait: the window (a counter lives at most that long). */
  Duration window() {
    return limits.window();
  }

  /** True when one more code mail to the address, asked for from the IP, is within both limits. */
  Future<Boolean> allow(String address, String ip) {
    String addressKey = keys.key("mail-codes", "to", Secrets.hex(Secrets.hash(address.toLowerCase(Locale.ROOT))));
    String ipKey = keys.key("mail-codes", "ip", ip);
    return Future.all(bump(ipKey), bump(addressKey))
        .map(all -> all.<Long>resultAt(0) <= limits.perIp() && all.<Long>resultAt(1) <= limits.perAddress())
        .recover(e -> Future.failedFuture(Problem.retryLater(503, "dependency_unavailable",
            "Rate-limit store unavailable", 1)));
  }

  private Future<Long> bump(String key) {
    return redis.eval(List.of(SCRIPT, "1", key, Long.toString(limits.window().toSeconds()))).map(r -> r.toLong());
  }
}
