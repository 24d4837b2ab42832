package dev.atrium;

import dev.atrium.access.AccessModule;
import dev.atrium.account.AccountModule;
import dev.atrium.api.ApiRouter;
import dev.atrium.api.ApiVerticle;
import dev.atrium.api.OpsModule;
import dev.atrium.apikeys.ApiKeysModule;
import dev.atrium.audit.AuditModule;
import dev.atrium.auth.AuthModule;
import dev.atrium.auth.TokenService;
import dev.atrium.keys.JwtKeys;
import dev.atrium.keys.SigningKeys;
import dev.atrium.config.AppConfig;
import dev.atrium.db.Database;
import dev.atrium.db.RedisKeys;
import dev.atrium.db.RedisSubscriber;
import dev.atrium.db.TimedRedis;
import dev.atrium.exports.Exports;
import dev.atrium.mail.MailModule;
import dev.atrium.platform.Metrics;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.rbac.RbacModule;
import dev.atrium.users.UsersModule;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Atrium node: builds its shared clients, migrates the database, starts the domain modules
 * and the HTTP verticles, and stops them cleanly. {@link Atrium#main} runs one; tests run
 * several in one JVM.
 */
public final class Application {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final AppConfig config;
  private final String nodeId = UUID.randomUUID().toString();
  private final String registryName = "atrium-" + nodeId;
  private final List<Module> modules = new ArrayList<>();
  // Failed too when start-up fails before or during the migrations.
  private final Promise<Void> migrated = Promise.promise();
  private Vertx vertx;
  private String apiDeployment;
  private Platform platform;

  public Application(AppConfig config) {
    this.config = config;
  }

  public Future<Void> start() {
    // Netty's epoll transport where it loads (Linux x86-64), for TCP_CORK around file downloads
    // (files/TcpCork); elsewhere Vert.x falls back to NIO and downloads go out uncorked.
    vertx = Metrics.configure(Vertx.builder(), new VertxOptions().setPreferNativeTransport(true), registryName).build();
    if (!vertx.isNativeTransportEnabled()) {
      LOG.info("Netty's epoll transport is unavailable ({}); running on NIO", vertx.unavailableNativeTransportCause());
    }
    Database database = new Database(config);
    // Signing keys live in PostgreSQL; ATRIUM_JWT_KEY_FILE, when set, replaces the token keys.
    Future<JwtKeys> keys = vertx.executeBlocking(() -> {
      database.prepareBlocking();
      migrated.tryComplete();
      return config.jwtKeyFile().isPresent() ? JwtKeys.load(config.jwtKeyFile().get()) : null;
    });
    // The result is a promise bound to no context: when start-up fails, Vert.x is closed and an
    // event-loop-bound future could never deliver the failure to the caller.
    Promise<Void> started = Promise.promise();
    keys.compose(k -> deploy(database, k)).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("Atrium ready on port {} ({} ms after the JVM started)", config.httpPort(),
            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        started.complete();
      } else {
        migrated.tryFail(ar.cause());
        LOG.error("Start-up failed: {}", ar.cause().getMessage(), ar.cause());
        stop().onComplete(stopped -> started.fail(ar.cause()));
      }
    });
    return started.future();
  }

  /**
   * Completes once the database is migrated, in the course of {@link #start}: migrations take as
   * long as their work does (their lock waits are bounded, see db/Migrations), so a node's start
   * deadline counts from here.
   */
  public Future<Void> migrated() {
    return migrated.future();
  }

  private Future<Void> deploy(Database database, JwtKeys fixedTokenKey) {
    // Every Redis call gets a deadline (ATRIUM_REDIS_TIMEOUT): a hung Redis answers 503, not never.
    Redis redis = TimedRedis.create(vertx, config);
    Platform platform = new Platform(config, vertx, database.createPool(vertx), database.createPipelinedClient(vertx),
        database.createIngestPool(vertx, config.ingestFlushers()), redis,
        io.vertx.redis.client.RedisAPI.api(redis), new RedisKeys(config.redisPrefix()), new RedisSubscriber(vertx, redis),
        BackendRegistries.getNow(registryName), nodeId,
        new Exports(vertx, config.exportConcurrency(), config.exportStallTimeout()));
    this.platform = platform;

    SigningKeys keys = new SigningKeys(platform, TokenService.ISSUER, TokenService.AUDIENCE, fixedTokenKey);
    modules.add(keys); // first: every module after it may sign or verify
    // Then the lower layers: who is calling (access), the audit log, sign-in, then the domains.
    TokenService tokens = new TokenService(keys.tokens(), config.accessTtl());
    AccessModule access = new AccessModule(platform, tokens.verifier());
    modules.add(access);
    AuditModule audit = new AuditModule(platform, access);
    modules.add(audit);
    AuthModule auth = new AuthModule(platform, keys.tokens(), tokens, access, audit.security());
    modules.add(auth);
    modules.add(new OpsModule(platform, registryName));

    MailModule mail = new MailModule(platform);
    modules.add(mail);
    modules.add(new AccountModule(platform, mail, auth, access, audit));

    modules.add(new UsersModule(platform, access, auth, audit.changes()));
    modules.add(new RbacModule(platform, access, audit.changes()));
    modules.add(new ApiKeysModule(platform, access, auth, audit.changes()));

    modules.add(new dev.atrium.analytics.AnalyticsModule(platform));

    modules.add(new dev.atrium.files.FilesModule(platform, keys.links(), audit.changes()));

    modules.add(new dev.atrium.notifications.NotificationsModule(platform, access.bearerAuth(), access.states()));

    modules.add(new dev.atrium.console.ConsoleModule(platform));

    ApiRouter router = new ApiRouter(vertx, access.bearerAuth(), access.apiKeyAuth(), access.guard(),
        config.corsOrigins(), config.trustProxy(), config.publicUrl());
    Future<Void> started = Future.succeededFuture();
    for (Module module : modules) {
      started = started.compose(v -> module.start());
    }
    return started
        .compose(v -> vertx.deployVerticle(
            () -> new ApiVerticle(router, modules, config.httpHost(), config.httpPort(), config.shutdownGrace()),
            new DeploymentOptions().setInstances(config.apiInstances())))
        .onSuccess(id -> apiDeployment = id)
        .mapEmpty();
  }

  /** Stops accepting, lets requests in flight finish within the grace period, closes pools. */
  public Future<Void> stop() {
    if (vertx == null) {
      return Future.succeededFuture();
    }
    // The HTTP servers go first: they drain requests in flight, which still need every module.
    Future<Void> stopped = apiDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(apiDeployment).otherwiseEmpty();
    for (Module module : modules) {
      stopped = stopped.compose(v -> module.stop().otherwiseEmpty());
    }
    if (platform != null) {
      stopped = stopped.compose(v -> platform.exports().close().otherwiseEmpty())
          .compose(v -> platform.subscriber().close().otherwiseEmpty());
    }
    // Closing Vert.x from one of its own event loops would leave the completion with no thread
    // to run on; a plain thread closes it and completes a promise bound to no context.
    Promise<Void> closed = Promise.promise();
    Vertx closing = vertx;
    stopped.onComplete(ar -> new Thread(() -> closing.close().onComplete(closed), "atrium-close").start());
    return closed.future();
  }

  public AppConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }
}
