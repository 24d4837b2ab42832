package dev.atrium.push;

import dev.atrium.access.AccessState;
import dev.atrium.access.AccessStates;
import io.vertx.core.json.JsonObject;

/**
 * One socket's subscribe and unsubscribe frames: the topic and {@code since} checks, and the
 * dashboard's permission ({@code analytics.view_all}), asked when the dashboard is subscribed
 * and again whenever the user's access changes. Runs on the socket's event loop.
 */
final class TopicRequests {
  static final String DASHBOARD_PERMISSION = "analytics.view_all";

  private final PushSocket socket;
  private final SocketAuth auth;
  private final Subscriptions topics;
  private final AccessStates states;
  private final PushRegistry registry;
  private final Outbound out;

  TopicRequests(PushSocket socket, SocketAuth auth, Subscriptions topics, AccessStates states, PushRegistry registry,
                Outbound out) {
    this.socket = socket;
    this.auth = auth;
    this.topics = topics;
    this.states = states;
    this.registry = registry;
    this.out = out;
  }

  void subscribe(JsonObject frame) {
    Topic topic = topicOf(frame, "subscribe");
    if (topic == null) {
      return;
    }
    Object rawSince = frame.getValue("since");
    Long since = null;
    if (rawSince != null) {
      // Only a JSON integer that fits a long: a larger one arrives as a BigInteger and a
      // fraction or exponent as a Double, and either would be cut to some other id.
      if (!topic.perUser() || !(rawSince instanceof Number n) || !(n instanceof Integer || n instanceof Long)
          || n.longValue() < 0) {
        out.reply(Frames.error("validation_failed", "since is a non-negative integer id, for notifications and files",
            "subscribe"));
        return;
      }
      since = n.longValue();
    }
    if (topic == Topic.DASHBOARD) {
      subscribeDashboard();
    } else {
      topics.subscribe(auth.userId(), topic, since);
    }
  }

  void unsubscribe(JsonObject frame) {
    Topic topic = topicOf(frame, "unsubscribe");
    if (topic == null) {
      return;
    }
    topics.unsubscribe(topic);
    if (topic == Topic.DASHBOARD) {
      registry.watchDashboard(socket, false);
    }
    out.reply(Frames.ack("unsubscribe").put("topic", topic.wire()));
  }

  /** The user's access changed but still admits the socket: the dashboard goes if its permission went. */
  void accessChanged(AccessState state) {
    if (topics.has(Topic.DASHBOARD) && !auth.caller().withState(state).may(DASHBOARD_PERMISSION)) {
      topics.unsubscribe(Topic.DASHBOARD);
      registry.watchDashboard(socket, false);
      out.reply(dashboardDenied());
    }
  }

  private void subscribeDashboard() {
    states.get(auth.userId()).onComplete(ar -> {
      if (socket.closed()) {
        return;
      }
      if (ar.succeeded() && ar.result().isPresent() && auth.caller().withState(ar.result().get()).may(DASHBOARD_PERMISSION)) {
        topics.subscribeDashboard();
        registry.watchDashboard(socket, true);
        out.reply(Frames.subscribed(Topic.DASHBOARD));
      } else if (ar.failed()) {
        out.reply(Frames.error("service_unavailable", "Permissions cannot be checked right now; try again", "subscribe"));
      } else {
        out.reply(dashboardDenied());
      }
    });
  }

  private static JsonObject dashboardDenied() {
    return Frames.error("permission_denied", "The dashboard needs " + DASHBOARD_PERMISSION, "subscribe")
        .put("topic", Topic.DASHBOARD.wire());
  }

  /** The frame's topic once authenticated; otherwise answers the error and returns null. */
  private Topic topicOf(JsonObject frame, String of) {
    if (auth.userId() == null) {
      out.reply(Frames.error("not_authenticated", "Send an auth frame first", of));
      return null;
    }
    Topic topic = Topic.of(frame.getValue("topic"));
    if (topic == null) {
      out.reply(Frames.error("unknown_topic", "Topics are notifications, files and dashboard", of));
    }
    return topic;
  }
}
