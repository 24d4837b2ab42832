package dev.atrium.push;

import dev.atrium.api.Timestamps;
import dev.atrium.db.RedisSubscriber;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import dev.atrium.events.FileProcessed;
import dev.atrium.events.FileUploaded;
import dev.atrium.events.NotificationCreated;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  /** How long a stopping node goes on handing queued events to Redis (which may be down). */
  private static final long STOP_FLUSH_MS = 5_000;
  /** A node whose snapshots were not seen for this long no longer counts as a dashboard source. */
  private static final long SOURCE_TTL_MS = 10_000;

  private final RedisSubscriber subscriber;
  private final PushKeys keys;
  private final PushPublisher publisher;
  private final PushRegistry registry;
  private final Duration pingInterval;
  /** Origin node → when its last snapshot arrived; see {@link #fromDashboardSource}. */
  private final Map<String, Long> dashboardSources = new HashMap<>();

  public PushVerticle(RedisSubscriber subscriber, PushKeys keys, PushPublisher publisher, PushRegistry registry,
                      Duration pingInterval) {
    this.subscriber = subscriber;
    this.keys = keys;
    this.publisher = publisher;
    this.registry = registry;
    this.pingInterval = pingInterval;
  }

  /**
   * Completes once the publisher owes Redis nothing: every event raised so far sent, or given up
   * after a failed send, at most {@link #STOP_FLUSH_MS} later. A stopping node asks for it
   * before it closes its clients, so events raised just before the stop (a broadcast answered a
   * moment earlier) still reach the replay streams and the other nodes' sockets. Asked on this
   * verticle's context, where the publisher lives, after the events delivered to it so far.
   */
  public Future<Void> flushed() {
    if (context == null) {
      return Future.succeededFuture(); // never deployed: the node failed to start before it
    }
    Promise<Void> flushed = Promise.promise();
    context.runOnContext(v -> publisher.idle().timeout(STOP_FLUSH_MS, TimeUnit.MILLISECONDS)
        .onFailure(e -> LOG.warn("Stopping with push events not yet handed to Redis: {}", e.getMessage()))
        .otherwiseEmpty()
        .onComplete(flushed));
    return flushed.future();
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
    return subscriber.listen(keys.channel(), new RedisSubscriber.Listener() {
      @Override
      public void message(String payload) {
        onMessage(payload);
      }

      @Override
      public void subscribed(boolean again) {
        if (again) {
          // Events published while unsubscribed are in the replay streams: let sockets catch up.
          perEventLoop(registry.all(), PushSocket::resync);
        }
      }
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

  private void onMessage(String batch) {
    // One channel message is a batch of events, one per line. Deliveries are grouped by the
    // sockets' event loops: one task per loop per batch rather than one per frame.
    Map<Context, List<Runnable>> work = new HashMap<>();
    Map<String, Buffer> contents = new HashMap<>();
    for (String line : batch.split("\n")) {
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
