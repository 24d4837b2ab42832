package dev.atrium.notifications;

import dev.atrium.access.Caller;
import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** Binds the contract's {@code notifications} operations to {@link NotificationService}. */
public final class NotificationHandlers {
  private final NotificationService service;

  public NotificationHandlers(NotificationService service) {
    this.service = service;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "sendNotification", this::send,
        "listNotifications", this::list,
        "unreadNotificationCount", this::unreadCount,
        "markNotificationRead", this::markRead,
        "markAllNotificationsRead", this::markAllRead);
  }

  private void send(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    JsonArray ids = b.getJsonArray("user_ids");
    List<String> userIds = ids == null ? null : ids.stream().map(String::valueOf).toList();
    NotificationService.Send send = new NotificationService.Send(userIds, b.getString("role"),
        b.getBoolean("broadcast", false), b.getString("title"), b.getString("body"), b.getString("level"),
        b.getJsonObject("data"));
    service.send(Caller.of(ctx), send)
        .onSuccess(sent -> Inputs.json(ctx, 202, new JsonObject().put("count", sent.count())
            .put("batch_id", sent.batchId().toString())))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.of(ctx);
    boolean unread = "true".equals(Inputs.query(ctx, "unread"));
    service.list(Caller.of(ctx).userId(), unread, page.page(), page.size())
        .onSuccess(p -> page.end(ctx, p, Notification::toJson))
        .onFailure(ctx::fail);
  }

  private void unreadCount(RoutingContext ctx) {
    service.unreadCount(Caller.of(ctx).userId())
        .onSuccess(n -> Inputs.json(ctx, 200, new JsonObject().put("count", n)))
        .onFailure(ctx::fail);
  }

  private void markRead(RoutingContext ctx) {
    service.markRead(Caller.of(ctx).userId(), Inputs.path(ctx, "id"))
        .onSuccess(n -> Inputs.json(ctx, 200, n.toJson()))
        .onFailure(ctx::fail);
  }

  private void markAllRead(RoutingContext ctx) {
    service.markAllRead(Caller.of(ctx).userId())
        .onSuccess(n -> Inputs.json(ctx, 200, new JsonObject().put("count", n)))
        .onFailure(ctx::fail);
  }


}
