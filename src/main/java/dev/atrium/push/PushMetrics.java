package dev.atrium.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** Frames sent and dropped per topic, and notifications stored, on the node's Prometheus registry. */
public final class PushMetrics {
  private final Map<Topic, Counter> sent = new EnumMap<>(Topic.class);
  private final Map<Topic, Counter> dropped = new EnumMap<>(Topic.class);
  private final Counter notifications;
  private final Counter publishFailures;

  private final MeterRegistry registry;

  public PushMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Topic t : Topic.values()) {
      sent.put(t, Counter.builder("atrium.push.frames.sent").description("Event frames written to sockets")
          .tag("topic", t.wire()).register(registry));
      dropped.put(t, Counter.builder("atrium.push.frames.dropped")
          .description("Event frames not written because the socket's write queue was full")
          .tag("topic", t.wire()).register(registry));
    }
    this.notifications = Counter.builder("atrium.notifications.sent")
        .description("Notifications stored (one per recipient)").register(registry);
    this.publishFailures = Counter.builder("atrium.push.publish.failures")
        .description("Events that could not be handed to Redis (recipients still find notifications over REST)")
        .register(registry);
  }

  /** Events handed to the publisher and not yet confirmed by Redis (queued or in flight). */
  void publishBacklog(java.util.function.IntSupplier size) {
    io.micrometer.core.instrument.Gauge.builder("atrium.push.publish.backlog", size::getAsInt)
        .description("Push events waiting for Redis on this node (bounded)").register(registry);
  }

  public void sent(Topic topic) {
    sent.get(topic).increment();
  }

  public void dropped(Topic topic) {
    dropped.get(topic).increment();
  }

  public void notificationsSent(long count) {
    notifications.increment(count);
  }

  public void publishFailed(long count) {
    publishFailures.increment(count);
  }
}
