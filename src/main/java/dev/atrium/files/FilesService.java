package dev.atrium.files;

import dev.atrium.access.Caller;
import dev.atrium.api.Page;
import dev.atrium.audit.AuditedChange;
import dev.atrium.problem.Problem;
import dev.atrium.events.Addresses;
import dev.atrium.events.FileUploaded;
import dev.atrium.limits.InFlight;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import dev.atrium.files.storage.ObjectStore;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files rules: an upload is admitted only with room on the disk, a free upload slot and its
 * declared size reserved against the quota; a received part becomes a file when its bytes are in
 * the store and its row commits, taking its size from the reservation; files belong to their owner,
 * {@code files.manage_all} reaches everyone's, and someone else's file is "not found". This class
 * and {@link TusService} decide the transactions; {@link FileRepository} runs in them.
 */
public final class FilesService {
  public static final String MANAGE_ALL = "files.manage_all";
  private static final Logger LOG = LoggerFactory.getLogger(FilesService.class);

  private final Vertx vertx;
  private final Pool pool;
  private final FileRepository repo;
  private final ObjectStore store;
  private final long quota;
  private final MeterRegistry registry;
  private final long diskReserve;
  private final int uploadsPerUser;
  /** Upload requests in flight per user on this node, so one account cannot take all the disk bandwidth. */
  private final InFlight.PerKey<UUID> slots;
  private final AuditedChange changes;
  private final PartCommit partCommit;

  public FilesService(Vertx vertx, Pool pool, FileRepository repo, ObjectStore store, long quota,
                      MeterRegistry registry, long diskReserve, int uploadsPerUser, AuditedChange changes) {
    this.vertx = vertx;
    this.pool = pool;
    this.repo = repo;
    this.store = store;
    this.quota = quota;
    this.registry = registry;
    this.diskReserve = diskReserve;
    this.uploadsPerUser = uploadsPerUser;
    this.slots = new InFlight.PerKey<>(uploadsPerUser);
    this.changes = changes;
    this.partCommit = new PartCommit(vertx, pool, repo, this::insert);
  }

  /** atrium_files_uploads_total{outcome=success|<error code>} and the bytes stored. */
  private void count(Outcome o) {
    if (registry == null) {
      return;
    }
    if (o instanceof Stored s) {
      registry.counter("atrium_files_uploads_total", "outcome", "success").increment();
      registry.counter("atrium_files_uploaded_bytes_total").increment(s.size());
    } else if (o instanceof Failed f) {
      registry.counter("atrium_files_uploads_total", "outcome", f.code()).increment();
    }
  }

  /** One entry of an upload answer. */
  public sealed interface Outcome {
    String filename();
  }

  public record Stored(UUID id, String filename, long size, String contentType, String sha256) implements Outcome {
  }

  public record Failed(String filename, String code, String message) implements Outcome {
  }

  /** Quota held for one upload request (or one resumable upload) until {@link #end}. */
  public record Reservation(UUID id, UUID owner, long bytes) {
  }

  /**
   * Admits an upload of up to {@code declared} bytes: refused with 507 when the disk is nearly
   * full, 429 when the owner already has {@code uploadsPerUser} uploads in flight on this node;
   * otherwise up to {@code declared} bytes of the quota are reserved before the first byte is
   * read. Every admitted upload must be ended with {@link #end}, whatever its outcome.
   */
  public Future<Reservation> begin(UUID owner, long declared, boolean allOrNothing, Duration ttl) {
    Problem refused = admit(owner);
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> repo.reserve(tx, id, owner, declared, quota, allOrNothing, ttl))
        .map(granted -> new Reservation(id, owner, granted))
        .onFailure(t -> slots.release(owner));
  }

  /**
   * Takes one of the owner's upload slots when the disk has room; otherwise the problem to answer
   * (507, 429). Whoever gets null must call {@link #releaseSlot}.
   */
  Problem admit(UUID owner) {
    if (store.freeSpace() < diskReserve) {
      return Problem.retryLater(507, "insufficient_storage", "The server is low on storage space; try again later", 60);
    }
    if (!slots.tryAcquire(owner)) {
      return Problem.retryLater(429, "too_many_uploads",
          "At most " + uploadsPerUser + " uploads at once per user; wait for one to finish", 1);
    }
    return null;
  }

  void releaseSlot(UUID owner) {
    slots.release(owner);
  }

  /** Reserves exactly {@code bytes} for a resumable upload (reservation id = upload id); false when they do not fit. */
  Future<Boolean> reserveAll(UUID id, UUID owner, long bytes, Duration ttl) {
    return pool.withTransaction(tx -> repo.reserve(tx, id, owner, bytes, quota, true, ttl))
        .map(granted -> granted == bytes);
  }

  /** Gives back what is left of a reservation, leaving upload slots alone (resumable uploads hold none). */
  Future<Void> release(UUID reservationId) {
    return repo.release(reservationId);
  }

  /** Gives the unused part of the reservation back and frees the upload slot; never fails. */
  public Future<Void> end(Reservation r) {
    slots.release(r.owner());
    return repo.release(r.id()).onFailure(t -> LOG.warn("Could not release reservation {}: {}", r.id(),
        t.getMessage())).otherwiseEmpty();
  }

  /** An owner's stored bytes and limit. */
  public record Quota(long used, long limit) {
    public long left() {
      return Math.max(0, limit - used);
    }
  }

  public Future<Quota> quota(UUID owner) {
    return repo.usedBytes(owner).map(used -> new Quota(used, quota));
  }

  /** Commits the received parts one after the other, in their order in the request. */
  public Future<List<Outcome>> store(Reservation reservation, List<UploadPart> parts) {
    UUID owner = reservation.owner();
    List<Outcome> out = new ArrayList<>(parts.size());
    Future<Void> chain = Future.succeededFuture();
    for (UploadPart part : parts) {
      chain = chain.compose(v -> partCommit.commit(part, reservation)).map(o -> {
        count(o);
        out.add(o);
        return null;
      });
    }
    return chain.map(v -> {
      for (Outcome o : out) {
        if (o instanceof Stored s) {
          announce(owner, s);
        }
      }
      return out;
    });
  }

  /** Publishes file.uploaded once the row has committed (processing, analytics and push follow). */
  void announce(UUID owner, Stored s) {
    vertx.eventBus().publish(Addresses.FILE_UPLOADED, new FileUploaded(s.id().toString(), owner.toString(),
        s.filename(), s.size(), s.contentType(), s.sha256(), Instant.now()).toJson());
  }

  /**
   * In the caller's transaction: takes the file's size from the reservation and writes its row;
   * 413 {@code quota_exceeded} when the reservation does not hold the bytes.
   */
  Future<Void> insert(SqlConnection tx, UUID reservationId, FileRepository.NewFile row) {
    return (row.size() == 0 ? Future.succeededFuture(true) : repo.takeFromReservation(tx, reservationId, row.size()))
        .compose(fits -> fits ? repo.insert(tx, row) : Future.failedFuture(Problem.of(413, "quota_exceeded",
            "Your storage quota does not leave room for this file")));
  }

  /** The file if the caller owns it or holds files.manage_all; otherwise "not found". */
  public Future<FileRecord> visible(Caller caller, UUID fileId) {
    return repo.find(fileId).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(Problem.notFound("File"));
      }
      FileRecord f = found.get();
      if (f.ownerId().toString().equals(caller.userId())) {
        return Future.succeededFuture(f);
      }
      return canManageAll(caller).compose(all -> all ? Future.succeededFuture(f)
          : Future.failedFuture(Problem.notFound("File")));
    });
  }

  /** For a request carrying a valid signed link: the link is the permission. */
  public Future<FileRecord> byLink(UUID fileId) {
    return repo.find(fileId).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(Problem.notFound("File"))));
  }

  /** The one question, asked of the caller: an API key also needs the permission among its scopes. */
  public Future<Boolean> canManageAll(Caller caller) {
    return Future.succeededFuture(caller.may(MANAGE_ALL));
  }

  /**
   * The caller's files, newest first. {@code ownerId} (someone else) or {@code all} need
   * files.manage_all.
   */
  public Future<Page<FileRecord>> list(Caller caller, String ownerId, boolean all, int page, int pageSize) {
    String callerId = caller.userId();
    boolean self = !all && (ownerId == null || ownerId.equalsIgnoreCase(callerId));
    Future<Boolean> allowed = self ? Future.succeededFuture(true) : canManageAll(caller);
    return allowed.compose(ok -> {
      if (!ok) {
        return Future.failedFuture(Problem.of(403, "permission_denied",
            "Listing other users' files needs the permission '" + MANAGE_ALL + "'"));
      }
      UUID owner = all ? null : UUID.fromString(ownerId == null ? callerId : ownerId);
      Future<Long> count = repo.count(owner);
      Future<List<FileRecord>> rows = repo.page(owner, (page - 1) * pageSize, pageSize);
      return Future.all(count, rows).map(v -> new Page<>(count.result(), rows.result()));
    });
  }

  /**
   * Deletes the row (giving the bytes back to the quota), then the bytes and the thumbnail. An
   * administrator deleting someone else's file ({@value #MANAGE_ALL}) is an admin change like any
   * other: made through {@link AuditedChange}, with its audit entry in the same transaction. Owners
   * deleting their own files are not audited (their own content, as with uploads).
   */
  public Future<Void> delete(Caller caller, UUID fileId) {
    return visible(caller, fileId)
        .compose(f -> changes.run(caller, "file.delete", "file", f.id(), c -> repo.delete(c.tx(), f.id())
            .compose(deleted -> deleted.isEmpty() || f.ownerId().toString().equals(caller.userId())
                ? Future.succeededFuture(deleted)
                : c.audit("file.delete", "file", f.id(), new JsonObject().put("owner_id", f.ownerId().toString())
                    .put("filename", f.filename()).put("size", f.size())).map(deleted))))
        .compose(deleted -> deleted.map(f -> store.delete(f.storageKey())
                .compose(v -> store.delete(FileStore.thumbnailKey(f.storageKey()))))
            .orElseGet(() -> Future.failedFuture(Problem.notFound("File"))));
  }

  public ObjectStore objects() {
    return store;
  }

  public static Optional<UUID> uuid(String text) {
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
  }
}
