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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Operations routes: liveness, readiness of PostgreSQL and Redis, Prometheus metrics, the contract and its docs. */
public final class OpsHandlers {
  static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.34.1";
  private static final long CHECK_TIMEOUT_MS = 1_000;

  private final HealthCheckHandler ready;
  private final Handler<RoutingContext> metrics;

  public OpsHandlers(Vertx vertx, Pool pool, RedisAPI redis, String registryName) {
    HealthChecks checks = HealthChecks.create(vertx)
        .register("postgres", 2 * CHECK_TIMEOUT_MS,
            p -> status(pool.query("SELECT 1").execute().mapEmpty()).onComplete(p))
        .register("redis", 2 * CHECK_TIMEOUT_MS,
            p -> status(redis.ping(java.util.List.of()).mapEmpty()).onComplete(p));
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

  /** Turns a probe into a status within the timeout, so a hung dependency reads DOWN, not a 500. */
  private static Future<Status> status(Future<Void> probe) {
    return probe.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(v -> Status.OK())
        .otherwise(t -> Status.KO(new JsonObject().put("error", String.valueOf(t.getMessage()))));
  }
}
