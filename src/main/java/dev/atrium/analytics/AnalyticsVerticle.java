package dev.atrium.analytics;

import dev.atrium.events.Addresses;
import dev.atrium.events.FileUploaded;
import dev.atrium.events.NotificationCreated;
import dev.atrium.events.UserLogin;
import dev.atrium.events.UserLogout;
import dev.atrium.events.UserRegistered;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per node. Runs the group-commit flusher, turns the server's own events (login, logout,
 * registration, upload, notification) into activities, keeps the activity partitions in step
 * with the clock, and publishes a dashboard snapshot on {@link Addresses#DASHBOARD_SNAPSHOT}
 * every {@link #SNAPSHOT_PERIOD_MS} ms for the push channel.
 */
public final class AnalyticsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyticsVerticle.class);
  static final long SNAPSHOT_PERIOD_MS = 2_000;
  private static final int SERVER_EVENT_ATTEMPTS = 5;

  private final IngestQueue ingest;
  private final DashboardCounters counters;
  private final ActivityService service;
  private final ActivityPartitions partitions;
  private final Clock clock;
  private final int retentionDays;
  private final Duration maintenanceInterval;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private long snapshotTimer = -1;
  private long maintenanceTimer = -1;

  public AnalyticsVerticle(IngestQueue ingest, DashboardCounters counters, ActivityService service,
                           ActivityPartitions partitions, Clock clock, int retentionDays, Duration maintenanceInterval) {
    this.ingest = ingest;
    this.counters = counters;
    this.service = service;
    this.partitions = partitions;
    this.clock = clock;
    this.retentionDays = retentionDays;
    this.maintenanceInterval = maintenanceInterval;
  }

  @Override
  public Future<?> start() {
    ingest.start(context);
    listen(Addresses.USER_REGISTERED, j -> {
      UserRegistered e = UserRegistered.fromJson(j);
      return Activity.server(UUID.fromString(e.userId()), Activity.REGISTER, e.at(), null, e.ip(), null);
    });
    listen(Addresses.USER_LOGIN, j -> {
      UserLogin e = UserLogin.fromJson(j);
      return Activity.server(UUID.fromString(e.userId()), Activity.LOGIN, e.at(),
          new JsonObject().put("session_id", e.sessionId()), e.ip(), e.userAgent());
    });
    listen(Addresses.USER_LOGOUT, j -> {
      UserLogout e = UserLogout.fromJson(j);
      return Activity.server(UUID.fromString(e.userId()), Activity.LOGOUT, e.at(),
          new JsonObject().put("session_id", e.sessionId()).put("all", e.sessionId() == null), null, null);
    });
    listen(Addresses.FILE_UPLOADED, j -> {
      FileUploaded e = FileUploaded.fromJson(j);
      return Activity.server(UUID.fromString(e.ownerId()), Activity.FILE_UPLOAD, e.at(), new JsonObject()
          .put("file_id", e.fileId()).put("size", e.size()).put("content_type", e.contentType()), null, null);
    });
    listenMany(Addresses.NOTIFICATION_CREATED, j -> {
      NotificationCreated e = NotificationCreated.fromJson(j);
      return e.recipients().stream().map(r -> Activity.server(UUID.fromString(r.userId()), Activity.NOTIFICATION,
          e.at(), new JsonObject().put("notification_id", r.notificationId()).put("level", e.level()), null, null))
          .toList();
    });
    snapshotTimer = vertx.setPeriodic(SNAPSHOT_PERIOD_MS, id -> service.freshDashboard()
        .onSuccess(s -> vertx.eventBus().publish(Addresses.DASHBOARD_SNAPSHOT, s))
        .onFailure(t -> LOG.debug("Dashboard snapshot skipped: {}", t.getMessage())));
    maintenanceTimer = vertx.setPeriodic(maintenanceInterval.toMillis(), id -> maintain()
        .onFailure(t -> LOG.warn("Activity partition maintenance failed (retried next period): {}", t.getMessage())));
    List<Future<?>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    // Partitions must exist before the first insert: start-up fails if they cannot be made.
    ready.add(maintain());
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(snapshotTimer);
    vertx.cancelTimer(maintenanceTimer);
    Future<?> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    // What was accepted is committed before the node goes: the requests waiting on it get 202.
    return unregistered.compose(v -> ingest.stop())
        .compose(v -> counters.flush())
        .timeout(5, java.util.concurrent.TimeUnit.SECONDS)
        .otherwiseEmpty();
  }

  private Future<Void> maintain() {
    return partitions.maintain(clock.instant(), retentionDays).map(r -> {
      if (!r.created().isEmpty() || !r.dropped().isEmpty()) {
        LOG.info("Activity partitions: created {}, dropped {}, pruned {} old event ids", r.created(), r.dropped(),
            r.prunedEventIds());
      }
      return null;
    });
  }

  private void listen(String address, Function<JsonObject, Activity> toActivity) {
    listenMany(address, j -> List.of(toActivity.apply(j)));
  }

  /** For events that stand for several activities (a notification send names many recipients). */
  private void listenMany(String address, Function<JsonObject, List<Activity>> toActivities) {
    consumers.add(vertx.eventBus().<JsonObject>consumer(address, msg -> {
      List<Activity> activities;
      try {
        activities = toActivities.apply(msg.body());
      } catch (RuntimeException e) {
        LOG.warn("Ignoring a malformed {} event: {}", address, e.toString());
        return;
      }
      if (!activities.isEmpty()) {
        record(activities, 1);
      }
    }));
  }

  /** The server's own records retry a few times; they have no client to retry for them. */
  private void record(List<Activity> activities, int attempt) {
    ingest.submit(activities, true).onFailure(t -> {
      if (attempt < SERVER_EVENT_ATTEMPTS) {
        vertx.setTimer(1000L * attempt, id -> record(activities, attempt + 1));
      } else {
        Activity first = activities.get(0);
        LOG.error("Lost {} {} activities (the first of user {}) after {} attempts: {}", activities.size(),
            first.action(), first.userId(), attempt, t.getMessage());
      }
    });
  }
}
