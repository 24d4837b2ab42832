package dev.atrium.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operations routes: liveness, readiness of PostgreSQL and Redis, Prometheus metrics, the contract and its docs. */
public final class OpsHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(OpsHandlers.class);
  static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.34.1";
  private static final long CHECK_TIMEOUT_MS = 1_000;

  private final HealthCheckHandler ready;
  private final Handler<RoutingContext> metrics;

  public OpsHandlers(Vertx vertx, Pool pool, RedisAPI redis, String registryName) {
    Probe postgres = new Probe("postgres", () -> pool.query("SELECT 1").execute().mapEmpty());
    Probe redisProbe = new Probe("redis", () -> redis.ping(List.of()).mapEmpty());
    HealthChecks checks = HealthChecks.create(vertx)
        .register(postgres.name, 2 * CHECK_TIMEOUT_MS, p -> postgres.run().onComplete(p))
        .register(redisProbe.name, 2 * CHECK_TIMEOUT_MS, p -> redisProbe.run().onComplete(p));
    this.ready = HealthCheckHandler.createWithHealthChecks(checks);
    this.metrics = PrometheusScrapingHandler.create(registryName);
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "healthLive", ctx -> Inputs.json(ctx, 200, new JsonObject().put("status", "UP")),
        "healthReady", ready,
        "metrics", metrics,
        "openapi", ctx -> ctx.response().putHeader("Content-Type", "application/yaml").sendFile("openapi.yaml"),
        "docs", ctx -> ctx.redirect("/docs/index.html"));
  }

  /** Swagger UI's static files, with its initializer pointed at our contract. */
  public static void mountDocs(Router router) {
    router.get("/docs/swagger-initializer.js").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/javascript")
        .end("window.onload = function () { window.ui = SwaggerUIBundle({ url: '/openapi.yaml',"
            + " dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis,"
            + " SwaggerUIStandalonePreset], layout: 'StandaloneLayout' }); };"));
    router.get("/docs/*").handler(StaticHandler.create(SWAGGER_UI).setCachingEnabled(true));
  }

  /**
   * One dependency's readiness, within the timeout, so a hung dependency reads DOWN, not a 500.
   * A DOWN answer says only {@code timeout} or {@code unreachable}: the gateway serves this page
   * to anyone, and the client's error names internal hosts and ports. The error goes to the log
   * instead, once as the dependency goes down and once as it comes back, not on every probe.
   */
  private static final class Probe {
    private final String name;
    private final Supplier<Future<Void>> check;
    private final AtomicBoolean down = new AtomicBoolean();

    Probe(String name, Supplier<Future<Void>> check) {
      this.name = name;
      this.check = check;
    }

    Future<Status> run() {
      return check.get().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .map(v -> {
            if (down.compareAndSet(true, false)) {
              LOG.info("Readiness: {} is up again", name);
            }
            return Status.OK();
          })
          .otherwise(t -> {
            if (down.compareAndSet(false, true)) {
              LOG.warn("Readiness: {} is down: {}", name, t.toString());
            }
            return Status.KO(new JsonObject().put("reason", t instanceof TimeoutException ? "timeout" : "unreachable"));
          });
    }
  }
}
