package dev.atrium.auth;

import dev.atrium.limits.InFlight;
import dev.atrium.problem.Problem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Argon2id hashing and verification on a bounded worker pool, called directly: the password
 * goes from the caller's event loop to a worker and the answer comes back, one hop each way,
 * never through the event bus. Jobs beyond the pool size plus a short queue are refused at
 * once with 503 service_busy + Retry-After, so no event loop ever hashes and a login storm
 * cannot queue without bound.
 */
public final class PasswordHasher {
  private final PasswordHashing hashing = new PasswordHashing();
  private final WorkerExecutor pool;
  private final InFlight inFlight;

  public PasswordHasher(Vertx vertx, int workers, int queue, MeterRegistry registry) {
    this.pool = vertx.createSharedWorkerExecutor("atrium-password-hash", workers, 30, TimeUnit.SECONDS);
    this.inFlight = new InFlight(workers + queue);
    if (registry != null) {
      Gauge.builder("atrium_password_pool_in_flight", inFlight, InFlight::count)
          .description("Password hash/verify jobs running or queued").register(registry);
      Gauge.builder("atrium_password_pool_capacity", inFlight, InFlight::limit)
          .description("Jobs the password pool accepts before refusing").register(registry);
    }
  }

  /** The outcome of a verification; {@code upgradedHash} is set when the stored hash should be replaced. */
  public record Checked(boolean valid, String upgradedHash) {
  }

  public Future<String> hash(String password) {
    return run(() -> hashing.hash(password));
  }

  public Future<Checked> verify(String password, String hash) {
    return run(() -> {
      PasswordHashing.Verification v = hashing.verify(password, hash);
      boolean upgrade = v.valid() && v.needsRehash();
      return new Checked(v.valid(), upgrade ? hashing.hash(password) : null);
    });
  }

  public Future<Void> close() {
    return pool.close();
  }

  private <T> Future<T> run(Callable<T> job) {
    return inFlight.run(() -> pool.executeBlocking(job, false)).orElseGet(() -> Future.failedFuture(
        Problem.retryLater(503, "service_busy", "Too many password checks in progress; try again shortly", 1)));
  }
}
