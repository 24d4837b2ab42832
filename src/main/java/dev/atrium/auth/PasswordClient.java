package dev.atrium.auth;

import dev.atrium.api.Problem;
import dev.atrium.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/** Asks {@link AuthVerticle}'s pool to hash or verify; a saturated pool becomes 503 + Retry-After. */
public final class PasswordClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public PasswordClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public record Checked(boolean valid, String upgradedHash) {
  }

  public Future<String> hash(String password) {
    return vertx.eventBus().<JsonObject>request(Addresses.PASSWORD_HASH, new JsonObject().put("password", password), OPTIONS)
        .map(m -> m.body().getString("hash"))
        .recover(PasswordClient::saturated);
  }

  public Future<Checked> verify(String password, String hash) {
    return vertx.eventBus().<JsonObject>request(Addresses.PASSWORD_VERIFY,
            new JsonObject().put("password", password).put("hash", hash), OPTIONS)
        .map(m -> new Checked(m.body().getBoolean("valid"), m.body().getString("new_hash")))
        .recover(PasswordClient::saturated);
  }

  private static <T> Future<T> saturated(Throwable t) {
    if (t instanceof ReplyException re && re.failureCode() == AuthVerticle.SATURATED) {
      return Future.failedFuture(Problem.retryLater(503, "service_busy",
          "Too many password checks in progress; try again shortly", 1));
    }
    return Future.failedFuture(t);
  }
}
