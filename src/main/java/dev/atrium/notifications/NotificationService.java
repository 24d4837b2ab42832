package dev.atrium.notifications;

import dev.atrium.access.Caller;
import dev.atrium.api.Page;
import dev.atrium.problem.Problem;
import dev.atrium.events.Addresses;
import dev.atrium.events.NotificationCreated;
import dev.atrium.push.PushMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sending and reading notifications. A send is stored first (so an offline recipient finds it in
 * the list), then announced on the event bus per recipient for push and analytics.
 */
public final class NotificationService {
  static final String BROADCAST_PERMISSION = "notifications.broadcast";
  static final int MAX_DATA_BYTES = 16 * 1024;
  /** Events published per event-loop turn, so a large fan-out does not hold the loop. */
  static final int PUBLISH_CHUNK = 500;

  private final Vertx vertx;
  private final Pool pool;
  private final NotificationRepository repository;
  private final PushMetrics metrics;
  /** Sends stored and answered whose recipients are still being announced, chunk by chunk. */
  private final Set<Promise<Void>> announcing = ConcurrentHashMap.newKeySet();

  public NotificationService(Vertx vertx, Pool pool, NotificationRepository repository, PushMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.repository = repository;
    this.metrics = metrics;
  }

  /** A send request: exactly one of {@code userIds}, {@code role}, {@code broadcast}. */
  public record Send(List<String> userIds, String role, boolean broadcast, String title, String body, String level,
                     JsonObject data) {
  }

  public record Sent(UUID batchId, int count) {
  }

  public Future<Sent> send(Caller sender, Send s) {
    String senderId = sender.userId();
    int targets = (s.userIds() != null ? 1 : 0) + (s.role() != null ? 1 : 0) + (s.broadcast() ? 1 : 0);
    if (targets != 1) {
      return Future.failedFuture(Problem.validation("Give exactly one of user_ids, role or broadcast:true",
          new JsonArray().add(Problem.entry("/", "exactly one target is required"))));
    }
    JsonObject data = s.data() == null ? new JsonObject() : s.data();
    if (data.encode().length() > MAX_DATA_BYTES) {
      return Future.failedFuture(Problem.field("validation_failed", "/data", "data is larger than 16 KB"));
    }
    List<UUID> ids = new ArrayList<>();
    if (s.userIds() != null) {
      for (String id : s.userIds()) {
        ids.add(UUID.fromString(id)); // the contract has checked the format
      }
    }
    NotificationRepository.Content content = new NotificationRepository.Content(UUID.randomUUID(),
        UUID.fromString(senderId), s.title(), s.body() == null ? "" : s.body(), s.level() == null ? "info" : s.level(),
        data);
    Future<NotificationRepository.Stored> stored;
    if (s.broadcast()) {
      stored = sender.may(BROADCAST_PERMISSION) ? pool.withTransaction(tx -> repository.toEveryone(tx, content))
          : Future.failedFuture(Problem.of(403, "permission_denied",
              "Notifying everyone needs the permission '" + BROADCAST_PERMISSION + "'"));
    } else if (s.role() != null) {
      stored = pool.withTransaction(tx -> repository.toRole(tx, content, s.role()).compose(found -> found
          .map(Future::succeededFuture)
          .orElseGet(() -> Future.failedFuture(Problem.field("unknown_role", "/role", "No role named " + s.role())))));
    } else {
      stored = pool.withTransaction(tx -> repository.toUsers(tx, content, ids));
    }
    return stored.map(result -> {
      metrics.notificationsSent(result.recipients().size());
      Promise<Void> announced = Promise.promise();
      announcing.add(announced);
      announced.future().onComplete(ar -> announcing.remove(announced));
      announce(content, result.recipients(), result.createdAt().toInstant(), 0, announced);
      return new Sent(content.batchId(), result.recipients().size());
    });
  }

  /** Publishes one event per chunk of recipients, a chunk per event-loop turn. */
  private void announce(NotificationRepository.Content c, List<NotificationRepository.Recipient> recipients,
                        Instant at, int from, Promise<Void> announced) {
    int to = Math.min(recipients.size(), from + PUBLISH_CHUNK);
    List<NotificationCreated.Recipient> chunk = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      NotificationRepository.Recipient r = recipients.get(i);
      chunk.add(new NotificationCreated.Recipient(r.id().toString(), r.userId().toString()));
    }
    if (!chunk.isEmpty()) {
      vertx.eventBus().publish(Addresses.NOTIFICATION_CREATED,
          new NotificationCreated(c.batchId().toString(), chunk, c.title(), c.body(), c.level(), c.data(), at).toJson());
    }
    if (to < recipients.size()) {
      vertx.runOnContext(v -> announce(c, recipients, at, to, announced));
    } else {
      announced.complete();
    }
  }

  /**
   * Completes once every send answered so far has been announced to its last recipient: a
   * stopping node waits for it, so that push still hears of every stored notification.
   */
  public Future<Void> announced() {
    return Future.all(announcing.stream().map(Promise::future).toList()).mapEmpty();
  }

  public Future<Page<Notification>> list(String userId, boolean unreadOnly, int page, int pageSize) {
    return repository.list(UUID.fromString(userId), unreadOnly, pageSize, (page - 1) * pageSize);
  }

  public Future<Long> unreadCount(String userId) {
    return repository.count(UUID.fromString(userId), true);
  }

  public Future<Notification> markRead(String userId, String id) {
    return repository.markRead(UUID.fromString(userId), UUID.fromString(id))
        .compose(n -> n.map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(Problem.notFound("Notification"))));
  }

  public Future<Integer> markAllRead(String userId) {
    return repository.markAllRead(UUID.fromString(userId));
  }
}
