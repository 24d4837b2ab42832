package dev.atrium.auth;

import dev.atrium.config.AppConfig;
import dev.atrium.events.Addresses;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the bounded worker pool that runs Argon2id, so no event loop ever hashes. Requests
 * beyond the pool size plus a short queue are refused at once (the caller answers 503), and
 * periodic housekeeping drops expired refresh tokens.
 */
public final class AuthVerticle extends VerticleBase {
  /** Failure code of a refused request: the pool and its queue are full. */
  public static final int SATURATED = 503;

  private final AppConfig config;
  private final PasswordHashing hashing = new PasswordHashing();
  private final SessionRepository sessions;
  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();
  private WorkerExecutor pool;
  private long housekeepingTimer;

  public AuthVerticle(AppConfig config, SessionRepository sessions, MeterRegistry registry) {
    this.config = config;
    this.sessions = sessions;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    pool = vertx.createSharedWorkerExecutor("atrium-password-hash", config.hashWorkers(), 30, TimeUnit.SECONDS);
    if (registry != null) {
      Gauge.builder("atrium_password_pool_in_flight", inFlight, AtomicInteger::get)
          .description("Password hash/verify jobs running or queued").register(registry);
      Gauge.builder("atrium_password_pool_capacity", () -> capacity())
          .description("Jobs the password pool accepts before refusing").register(registry);
    }
    housekeepingTimer = vertx.setPeriodic(60_000, id -> sessions.deleteExpired());
    var hash = vertx.eventBus().<JsonObject>consumer(Addresses.PASSWORD_HASH,
        msg -> run(msg, () -> new JsonObject().put("hash", hashing.hash(msg.body().getString("password")))));
    var verify = vertx.eventBus().<JsonObject>consumer(Addresses.PASSWORD_VERIFY, msg -> run(msg, () -> {
      PasswordHashing.Verification v = hashing.verify(msg.body().getString("password"), msg.body().getString("hash"));
      JsonObject reply = new JsonObject().put("valid", v.valid()).put("rehash", v.valid() && v.needsRehash());
      if (v.valid() && v.needsRehash()) {
        reply.put("new_hash", hashing.hash(msg.body().getString("password")));
      }
      return reply;
    }));
    return Future.all(hash.completion(), verify.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(housekeepingTimer);
    return pool.close();
  }

  private int capacity() {
    return config.hashWorkers() + config.hashQueue();
  }

  private void run(Message<JsonObject> msg, Callable<JsonObject> job) {
    if (inFlight.incrementAndGet() > capacity()) {
      inFlight.decrementAndGet();
      msg.fail(SATURATED, "password pool saturated");
      return;
    }
    pool.executeBlocking(job, false)
        .onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded()) {
            msg.reply(ar.result());
          } else {
            msg.fail(ReplyFailure.RECIPIENT_FAILURE.toInt(), String.valueOf(ar.cause().getMessage()));
          }
        });
  }
}
