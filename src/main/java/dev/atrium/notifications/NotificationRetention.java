package dev.atrium.notifications;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Deletes the notifications of sends older than ATRIUM_NOTIFICATION_RETENTION_DAYS: first the
 * recipients' rows, {@code chunk} at a time, then the sends' content once nothing refers to it.
 * Several nodes may run it at once; they only delete what the other has not.
 */
final class NotificationRetention {
  private final NotificationRepository repository;
  private final int days;
  private final int chunk;

  NotificationRetention(NotificationRepository repository, int days, int chunk) {
    this.repository = repository;
    this.days = days;
    this.chunk = chunk;
  }

  /** Runs until nothing old is left; answers how many recipients' rows went. */
  Future<Long> run() {
    return drain(() -> repository.deleteExpiredRows(days, chunk), 0)
        .compose(rows -> drain(() -> repository.deleteEmptyBatches(days, chunk), 0).map(rows));
  }

  private Future<Long> drain(Supplier<Future<Integer>> step, long done) {
    return step.get().compose(n -> n < chunk ? Future.succeededFuture(done + n) : drain(step, done + n));
  }
}
