package dev.atrium.files;

import dev.atrium.files.FilesService.Failed;
import dev.atrium.files.FilesService.Outcome;
import dev.atrium.files.FilesService.Stored;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one received part into a file: its bytes into the store, then its row in a transaction.
 * A transaction whose connection was lost under it (after COMMIT was sent, say) may have
 * committed; the row is looked for before the bytes are removed, so a committed file never
 * loses its bytes, and its client hears it was stored. When even that cannot be told, the bytes
 * stay, logged for an operator: an unreferenced object costs space, a row without bytes a file.
 */
final class PartCommit {
  private static final Logger LOG = LoggerFactory.getLogger(PartCommit.class);
  private static final int LOOKS = 3;
  private static final long LOOK_PAUSE_MS = 100;

  private final Vertx vertx;
  private final Pool pool;
  private final FileRepository repo;
  private final RowWriter insert;

  /** Writes a file's row in the given transaction, charging it to the reservation. */
  interface RowWriter {
    Future<Void> write(SqlConnection tx, UUID reservationId, FileRepository.NewFile row);
  }

  PartCommit(Vertx vertx, Pool pool, FileRepository repo, RowWriter insert) {
    this.vertx = vertx;
    this.pool = pool;
    this.repo = repo;
    this.insert = insert;
  }

  Future<Outcome> commit(UploadPart part, FilesService.Reservation reservation) {
    if (part instanceof UploadPart.Rejected r) {
      return Future.succeededFuture(new Failed(r.filename(), r.code(), r.message()));
    }
    UploadPart.Received r = (UploadPart.Received) part;
    UUID id = UUID.fromString(r.key().substring(r.key().lastIndexOf('/') + 1));
    FileRepository.NewFile row = new FileRepository.NewFile(id, reservation.owner(), r.filename(), r.key(), r.size(),
        r.contentType(), r.declaredType(), r.sha256());
    Outcome stored = new Stored(id, r.filename(), r.size(), r.contentType(), r.sha256());
    return r.sink().finish()
        .compose(v -> pool.withTransaction(tx -> insert.write(tx, reservation.id(), row))
            .recover(t -> lostUnderway(t) ? committedAnyway(id, r.key(), t) : Future.failedFuture(t)))
        .map(stored)
        .recover(t -> failed(r.filename(), t, t instanceof OutcomeUnknown ? Future.succeededFuture() : r.sink().abort()));
  }

  /**
   * Only a connection lost under a sent statement leaves the COMMIT's outcome unknown: a refused
   * connect, a pool wait that ran out or an error answer means nothing was committed, and the
   * bytes go as before (during an outage, every upload would otherwise leave its bytes behind).
   */
  private static boolean lostUnderway(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ClosedConnectionException) {
        return true;
      }
    }
    return false;
  }

  /** Succeeds when the row is there after all; fails with {@code t}, or OutcomeUnknown when nobody can tell. */
  private Future<Void> committedAnyway(UUID id, String key, Throwable t) {
    return look(id, LOOKS).transform(found -> {
      if (found.succeeded()) {
        return found.result().isPresent() ? Future.succeededFuture() : Future.failedFuture(t);
      }
      LOG.error("Upload {} may or may not have committed; its bytes stay at {} ({})", id, key, found.cause().toString(), t);
      return Future.failedFuture(new OutcomeUnknown(t));
    });
  }

  /**
   * The row, asked up to {@code tries} times {@link #LOOK_PAUSE_MS} apart: until the pool has
   * seen the lost connection close, it may hand that very connection to the look.
   */
  private Future<Optional<FileRecord>> look(UUID id, int tries) {
    return repo.find(id).recover(e -> tries > 1
        ? vertx.timer(LOOK_PAUSE_MS, TimeUnit.MILLISECONDS).compose(v -> look(id, tries - 1))
        : Future.failedFuture(e));
  }

  /** The answer for a part that could not be stored, once its bytes are gone ({@code cleanup}). */
  private static Future<Outcome> failed(String filename, Throwable t, Future<Void> cleanup) {
    if (!(t instanceof Problem)) {
      LOG.error("Storing upload {} failed", filename, t);
    }
    Outcome failed = t instanceof Problem p ? new Failed(filename, p.code(), p.getMessage())
        : new Failed(filename, "store_failed", "The file could not be stored; try again");
    return cleanup.map(failed);
  }

  private static final class OutcomeUnknown extends RuntimeException {
    OutcomeUnknown(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
