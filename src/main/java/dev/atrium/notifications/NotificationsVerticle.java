package dev.atrium.notifications;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Housekeeping of notifications: the retention runs a minute after start, then every hour. */
final class NotificationsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationsVerticle.class);
  private static final long FIRST_RUN_MS = 60_000;
  private static final long INTERVAL_MS = 3_600_000;

  private final NotificationRetention retention;
  private long timer;
  private boolean running;

  NotificationsVerticle(NotificationRetention retention) {
    this.retention = retention;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(FIRST_RUN_MS, INTERVAL_MS, id -> purge());
    return Future.succeededFuture();
  }

  private void purge() {
    if (running) {
      return; // the last run is still deleting
    }
    running = true;
    retention.run()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("Deleted {} notifications past their retention", n);
          }
        })
        .onFailure(e -> LOG.warn("Could not delete old notifications: {}", e.getMessage()))
        .onComplete(ar -> running = false);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
