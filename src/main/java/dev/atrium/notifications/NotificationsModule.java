package dev.atrium.notifications;

import dev.atrium.access.AccessStates;
import dev.atrium.config.PushSettings;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.push.PushKeys;
import dev.atrium.push.PushMetrics;
import dev.atrium.push.PushPublisher;
import dev.atrium.push.PushRegistry;
import dev.atrium.push.PushVerticle;
import dev.atrium.push.ReplayStore;
import dev.atrium.push.WebSocketEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Notifications (REST) and the live push channel ({@code GET /ws}, {@link PushVerticle}): the
 * push side delivers what notifications, files and analytics raise on the event bus.
 */
public final class NotificationsModule implements Module {
  static final String WEBSOCKET_OPERATION = "openWebSocket";
  private static final int RETENTION_CHUNK = 5_000;
  private static final long STOP_WAIT_MS = 5_000;

  private final Platform platform;
  private final NotificationService service;
  private final NotificationHandlers handlers;
  private final WebSocketEndpoint endpoint;
  private final PushVerticle pushVerticle;
  private final NotificationsVerticle housekeeping;

  public NotificationsModule(Platform p, AuthenticationProvider bearerAuth, AccessStates states) {
    this.platform = p;
    PushSettings settings = p.config().push();
    PushMetrics metrics = new PushMetrics(p.registry());
    PushKeys keys = new PushKeys(p.keys());
    PushRegistry registry = new PushRegistry(p.registry());
    ReplayStore replay = new ReplayStore(p.redis(), keys, settings.replayEvents());
    PushPublisher publisher = new PushPublisher(p.redis(), keys, metrics, p.nodeId(), settings.replayEvents(),
        settings.replayTtl());
    this.endpoint = new WebSocketEndpoint(p.vertx(), bearerAuth, states, registry, replay, metrics, settings);
    this.pushVerticle = new PushVerticle(p.subscriber(), keys, publisher, registry, settings.pingInterval());
    NotificationRepository repository = new NotificationRepository(p.pool());
    this.service = new NotificationService(p.vertx(), p.pool(), repository, metrics);
    this.handlers = new NotificationHandlers(service);
    this.housekeeping = new NotificationsVerticle(new NotificationRetention(repository,
        p.config().notificationRetentionDays(), RETENTION_CHUNK));
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> ops = new HashMap<>(handlers.operations());
    ops.put(WEBSOCKET_OPERATION, endpoint::handle);
    return ops;
  }

  @Override
  public Future<Void> start() {
    return platform.vertx().deployVerticle(pushVerticle)
        .compose(id -> platform.vertx().deployVerticle(housekeeping)).mapEmpty();
  }

  /**
   * Lets the sends already answered finish announcing their recipients, then lets the push
   * verticle hand every event to Redis (each step bounded), before the node closes its clients.
   */
  @Override
  public Future<Void> stop() {
    return service.announced().timeout(STOP_WAIT_MS, TimeUnit.MILLISECONDS).otherwiseEmpty()
        .compose(v -> pushVerticle.flushed());
  }
}
