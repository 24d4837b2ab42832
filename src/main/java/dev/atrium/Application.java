package dev.atrium;

import dev.atrium.api.ApiRouter;
import dev.atrium.api.ApiVerticle;
import dev.atrium.api.OpsHandlers;
import dev.atrium.auth.AccessChangeBridge;
import dev.atrium.auth.AccessChanges;
import dev.atrium.auth.AccessStates;
import dev.atrium.auth.AccessTokenAuth;
import dev.atrium.auth.AuthHandlers;
import dev.atrium.auth.AuthService;
import dev.atrium.auth.AuthVerticle;
import dev.atrium.auth.JwtKeys;
import dev.atrium.auth.LoginThrottle;
import dev.atrium.auth.PasswordClient;
import dev.atrium.auth.SessionRepository;
import dev.atrium.auth.TokenService;
import dev.atrium.config.AppConfig;
import dev.atrium.db.Database;
import dev.atrium.db.RedisKeys;
import dev.atrium.rbac.AccessRepository;
import dev.atrium.users.AccountService;
import dev.atrium.users.UserRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Atrium node: builds its clients and services from the configuration, migrates the
 * database, deploys the verticles, and stops them cleanly. {@link Atrium#main} runs one; tests
 * run several in one JVM.
 */
public final class Application {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final AppConfig config;
  private final String nodeId = UUID.randomUUID().toString();
  private final String registryName = "atrium-" + nodeId;
  private Vertx vertx;
  private Pool pool;
  private Redis redis;
  private AccessChangeBridge bridge;

  public Application(AppConfig config) {
    this.config = config;
  }

  public Future<Void> start() {
    vertx = Vertx.builder().with(vertxOptions()).build();
    Database database = new Database(config);
    Future<JwtKeys> keys = vertx.executeBlocking(() -> {
      database.prepareBlocking();
      return JwtKeys.load(config.jwtKeyFile().orElse(null), config.dataDir());
    });
    return keys.compose(this::deploy)
        .onSuccess(v -> LOG.info("Atrium ready on port {}", config.httpPort()))
        .onFailure(t -> LOG.error("Start-up failed: {}", t.getMessage(), t))
        .recover(t -> stop().transform(ar -> Future.failedFuture(t)));
  }

  private Future<Void> deploy(JwtKeys keys) {
    pool = new Database(config).createPool(vertx);
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl())
        .setMaxPoolSize(16).setMaxPoolWaiting(4096));
    RedisAPI redisApi = RedisAPI.api(redis);
    RedisKeys redisKeys = new RedisKeys(config.redisPrefix());
    MeterRegistry registry = BackendRegistries.getNow(registryName);

    UserRepository users = new UserRepository(pool);
    SessionRepository sessions = new SessionRepository(pool);
    AccessStates states = new AccessStates(redisApi, redisKeys, new AccessRepository(pool));
    AccessChanges accessChanges = new AccessChanges(vertx, redisApi, redisKeys, states, nodeId, config.accessTtl());
    bridge = new AccessChangeBridge(vertx, redis, accessChanges, states);
    TokenService tokens = new TokenService(vertx, keys, config.accessTtl());
    LoginThrottle throttle = new LoginThrottle(redisApi, redisKeys, config.loginMaxFailures(),
        config.loginMaxFailuresPerIp(), config.loginWindow());
    AuthService auth = new AuthService(vertx, users, sessions, new PasswordClient(vertx), tokens, throttle,
        accessChanges, config.refreshTtl());
    AuthHandlers authHandlers = new AuthHandlers(auth, new AccountService(users, states), keys, config.refreshTtl());
    OpsHandlers ops = new OpsHandlers(vertx, pool, redisApi, registryName);

    Map<String, Handler<RoutingContext>> operations = new HashMap<>();
    operations.putAll(authHandlers.operations());
    operations.putAll(ops.operations());
    ApiRouter router = new ApiRouter(vertx, new AccessTokenAuth(tokens.verifier(), states), states,
        config.corsOrigins(), config.trustProxy());

    bridge.start();
    return vertx.deployVerticle(new AuthVerticle(config, sessions, registry))
        .compose(id -> seedAdmin(auth))
        .compose(v -> vertx.deployVerticle(
            () -> new ApiVerticle(router, vx -> operations, config.httpHost(), config.httpPort(), config.shutdownGrace()),
            new DeploymentOptions().setInstances(config.apiInstances())))
        .mapEmpty();
  }

  private Future<Void> seedAdmin(AuthService auth) {
    String email = config.adminEmail().orElse("admin@atrium.local");
    return auth.seedAdmin(email, config.adminPassword().orElse(null))
        .onSuccess(generated -> generated.ifPresent(pw -> LOG.warn(
            "Created the first admin {} with generated password {} (shown once; change it)", email, pw)))
        .mapEmpty();
  }

  /** Stops accepting, lets requests in flight finish within the grace period, closes pools. */
  public Future<Void> stop() {
    if (vertx == null) {
      return Future.succeededFuture();
    }
    Future<Void> bridgeStopped = bridge == null ? Future.succeededFuture() : bridge.stop().otherwiseEmpty();
    return bridgeStopped.transform(ar -> vertx.close());
  }

  public AppConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  private VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(registryName)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)
            .setPublishQuantiles(true))
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME));
  }
}
