package dev.atrium.push;

import dev.atrium.api.Timestamps;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import dev.atrium.events.FileProcessed;
import dev.atrium.events.FileUploaded;
import dev.atrium.events.NotificationCreated;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges the local event bus and Redis pub/sub. Events raised on this node (notifications,
 * files, dashboard snapshots) go to Redis exactly once through {@link PushPublisher}; every node,
 * this one included, delivers only what arrives on its subscription, so each socket sees each
 * event once wherever it was raised. Also closes sockets whose access was revoked and pings
 * every socket on a single timer.
 */
public final class PushVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PushVerticle.class);
  private static final long RETRY_MS = 1_000;
  /** A node whose snapshots were not seen for this long no longer counts as a dashboard source. */
  private static final long SOURCE_TTL_MS = 10_000;

  private final Redis redis;
  private final PushKeys keys;
  private final PushPublisher publisher;
  private final PushRegistry registry;
  private final Duration pingInterval;
  /** Origin node → when its last snapshot arrived; see {@link #fromDashboardSource}. */
  private final Map<String, Long> dashboardSources = new HashMap<>();
  private RedisConnection subscription;
  private boolean subscribedBefore;
  private boolean stopped;

  public PushVerticle(Redis redis, PushKeys keys, PushPublisher publisher, PushRegistry registry,
                      Duration pingInterval) {
    this.redis = redis;
    this.keys = keys;
    this.publisher = publisher;
    this.registry = registry;
    this.pingInterval = pingInterval;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    bus.<JsonObject>consumer(Addresses.NOTIFICATION_CREATED, m -> publishNotifications(NotificationCreated.fromJson(m.body())));
    bus.<JsonObject>consumer(Addresses.FILE_UPLOADED, m -> {
      FileUploaded f = FileUploaded.fromJson(m.body());
      publisher.publish(Topic.FILES, f.ownerId(), "file.uploaded", m.body());
    });
    bus.<JsonObject>consumer(Addresses.FILE_PROCESSED, m -> {
      FileProcessed f = FileProcessed.fromJson(m.body());
      publisher.publish(Topic.FILES, f.ownerId(), "file.processed", m.body());
    });
    bus.<JsonObject>consumer(Addresses.DASHBOARD_SNAPSHOT,
        m -> publisher.publishDashboard("dashboard.snapshot", m.body()));
    bus.<JsonObject>consumer(Addresses.ACCESS_CHANGED, m -> {
      AccessChanged change = AccessChanged.fromJson(m.body());
      registry.forUser(change.userId()).forEach(s -> s.post(v -> s.accessChanged()));
    });
    vertx.setPeriodic(pingInterval.toMillis(), id -> perEventLoop(registry.all(), PushSocket::heartbeat));
    // A node starts while Redis is down (readiness reports it); the subscription follows later.
    return subscribe().recover(e -> {
      LOG.warn("Cannot subscribe to push events yet, retrying: {}", e.getMessage());
      resubscribeLater();
      return Future.succeededFuture();
    });
  }

  /**
   * One chunk of a send: the content every recipient shares is encoded once; each recipient's
   * frame adds only its notification id.
   */
  private void publishNotifications(NotificationCreated n) {
    String shared = new JsonObject().put("title", n.title()).put("body", n.body()).put("level", n.level())
        .put("data", n.data() == null ? new JsonObject() : n.data()).put("created_at", Timestamps.format(n.at())).encode();
    PushPublisher.Shared content = new PushPublisher.Shared(keys.content(n.batchId()), shared.substring(1) + "}");
    List<String> users = new ArrayList<>(n.recipients().size());
    List<JsonObject> own = new ArrayList<>(n.recipients().size());
    n.recipients().forEach(r -> {
      users.add(r.userId());
      own.add(new JsonObject().put("id", r.notificationId()).put("read", false));
    });
    publisher.publishShared(Topic.NOTIFICATIONS, "notification.created", content, users, own);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return subscription == null ? Future.succeededFuture() : subscription.close().otherwiseEmpty();
  }

  private Future<Void> subscribe() {
    return redis.connect().compose(conn -> {
      subscription = conn;
      conn.handler(this::onMessage);
      conn.exceptionHandler(e -> LOG.warn("Push subscription failed: {}", e.getMessage()));
      conn.endHandler(v -> resubscribeLater());
      return RedisAPI.api(conn).subscribe(List.of(keys.channel()));
    }).map(r -> {
      if (subscribedBefore) {
        // Events published while unsubscribed are in the replay streams: let sockets catch up.
        perEventLoop(registry.all(), PushSocket::resync);
      }
      subscribedBefore = true;
      return null;
    });
  }

  private void resubscribeLater() {
    subscription = null;
    if (!stopped) {
      vertx.setTimer(RETRY_MS, id -> subscribe().onFailure(e -> {
        LOG.warn("Cannot resubscribe to push events, retrying: {}", e.getMessage());
        resubscribeLater();
      }));
    }
  }

  private void onMessage(Response push) {
    if (push.type() != ResponseType.PUSH || push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    // One channel message is a batch of events, one per line. Deliveries are grouped by the
    // sockets' event loops: one task per loop per batch rather than one per frame.
    Map<Context, List<Runnable>> work = new HashMap<>();
    Map<String, Buffer> contents = new HashMap<>();
    for (String line : push.get(2).toString().split("\n")) {
      String[] content = PushMessage.content(line);
      if (content != null) {
        contents.put(content[0], Buffer.buffer(content[1])); // one copy, shared by every socket's frame
        continue;
      }
      PushMessage m = PushMessage.parse(line, contents);
      if (m == null) {
        continue;
      }
      if (m.topic() == Topic.DASHBOARD) {
        if (fromDashboardSource(m.origin())) {
          registry.dashboardSockets().forEach(s -> work.computeIfAbsent(s.context(), c -> new ArrayList<>())
              .add(() -> s.deliver(m)));
        }
      } else {
        registry.forUser(m.userId()).forEach(s -> work.computeIfAbsent(s.context(), c -> new ArrayList<>())
            .add(() -> s.deliver(m)));
      }
    }
    work.forEach((context, tasks) -> context.runOnContext(v -> tasks.forEach(Runnable::run)));
  }

  /** Runs an action on each socket, one task per event loop. */
  private static void perEventLoop(Iterable<PushSocket> sockets, java.util.function.Consumer<PushSocket> action) {
    Map<Context, List<PushSocket>> byLoop = new HashMap<>();
    sockets.forEach(s -> byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(s));
    byLoop.forEach((context, list) -> context.runOnContext(v -> list.forEach(action)));
  }

  /**
   * Whether to forward a snapshot from this origin. If several nodes produce snapshots, every
   * node follows the same one (the smallest node id among recent producers), so a dashboard
   * socket gets one stream of snapshots, not one per node; if that node goes, the next takes over.
   */
  private boolean fromDashboardSource(String origin) {
    long now = System.currentTimeMillis();
    dashboardSources.put(origin, now);
    dashboardSources.values().removeIf(seen -> now - seen > SOURCE_TTL_MS);
    String chosen = origin;
    for (String candidate : dashboardSources.keySet()) {
      if (candidate.compareTo(chosen) < 0) {
        chosen = candidate;
      }
    }
    return chosen.equals(origin);
  }
}
