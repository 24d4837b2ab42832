package dev.atrium.files;

import dev.atrium.api.Problem;
import dev.atrium.auth.AccessStates;
import dev.atrium.events.Addresses;
import dev.atrium.events.FileUploaded;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.CopyOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files rules: a received part becomes a file only when its quota charge and its row
 * commit together with the atomic move of its bytes into place; files belong to their owner,
 * {@code files.manage_all} reaches everyone's, and someone else's file is "not found".
 */
public final class FilesService {
  public static final String MANAGE_ALL = "files.manage_all";
  private static final Logger LOG = LoggerFactory.getLogger(FilesService.class);
  private static final CopyOptions ATOMIC = new CopyOptions().setAtomicMove(true);

  private final Vertx vertx;
  private final FileRepository repo;
  private final FileStore store;
  private final AccessStates states;
  private final long quota;
  private final MeterRegistry registry;

  public FilesService(Vertx vertx, FileRepository repo, FileStore store, AccessStates states, long quota,
                      MeterRegistry registry) {
    this.vertx = vertx;
    this.repo = repo;
    this.store = store;
    this.states = states;
    this.quota = quota;
    this.registry = registry;
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

  /** Bytes the owner may still add; used to cut off parts early, before the authoritative check. */
  public Future<Long> quotaLeft(UUID owner) {
    return repo.usedBytes(owner).map(used -> quota - used);
  }

  /** Commits the received parts one after the other, in their order in the request. */
  public Future<List<Outcome>> store(UUID owner, List<UploadReceiver.Part> parts) {
    List<Outcome> out = new ArrayList<>(parts.size());
    Future<Void> chain = Future.succeededFuture();
    for (UploadReceiver.Part part : parts) {
      chain = chain.compose(v -> commit(owner, part)).map(o -> {
        count(o);
        out.add(o);
        return null;
      });
    }
    return chain.map(v -> {
      for (Outcome o : out) {
        if (o instanceof Stored s) {
          vertx.eventBus().publish(Addresses.FILE_UPLOADED, new FileUploaded(s.id().toString(), owner.toString(),
              s.filename(), s.size(), s.contentType(), s.sha256(), Instant.now()).toJson());
        }
      }
      return out;
    });
  }

  private Future<Outcome> commit(UUID owner, UploadReceiver.Part part) {
    if (part instanceof UploadReceiver.Rejected r) {
      return Future.succeededFuture(new Failed(r.filename(), r.code(), r.message()));
    }
    UploadReceiver.Received r = (UploadReceiver.Received) part;
    UUID id = UUID.randomUUID();
    String key = FileStore.storageKey(id);
    Path target = store.path(key);
    FileRepository.NewFile row = new FileRepository.NewFile(id, owner, r.filename(), key, r.size(), r.contentType(),
        r.declaredType(), r.sha256());
    return store.mkdirsFor(target)
        .compose(v -> repo.inTransaction(conn -> repo.charge(conn, owner, r.size(), quota)
            .compose(fits -> fits
                ? repo.insert(conn, row).compose(x -> store.fs().move(r.temp().toString(), target.toString(), ATOMIC))
                : Future.failedFuture(Problem.of(413, "quota_exceeded",
                    "Your storage quota does not leave room for this file")))))
        .<Outcome>map(v -> new Stored(id, r.filename(), r.size(), r.contentType(), r.sha256()))
        .recover(t -> {
          if (!(t instanceof Problem)) {
            LOG.error("Storing upload {} failed", r.filename(), t);
          }
          // the transaction rolled back: neither the temporary file nor a moved copy may stay
          Outcome failed = t instanceof Problem p ? new Failed(r.filename(), p.code(), p.getMessage())
              : new Failed(r.filename(), "store_failed", "The file could not be stored; try again");
          return store.deleteQuietly(r.temp()).compose(x -> store.deleteQuietly(target)).map(failed);
        });
  }

  /** The file if the caller owns it or holds files.manage_all; otherwise "not found". */
  public Future<FileRecord> visible(String callerId, UUID fileId) {
    return repo.find(fileId).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(Problem.notFound("File"));
      }
      FileRecord f = found.get();
      if (f.ownerId().toString().equals(callerId)) {
        return Future.succeededFuture(f);
      }
      return canManageAll(callerId).compose(all -> all ? Future.succeededFuture(f)
          : Future.failedFuture(Problem.notFound("File")));
    });
  }

  /** For a request carrying a valid signed link: the link is the permission. */
  public Future<FileRecord> byLink(UUID fileId) {
    return repo.find(fileId).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(Problem.notFound("File"))));
  }

  public Future<Boolean> canManageAll(String callerId) {
    return states.get(callerId).map(s -> s.isPresent() && s.get().has(MANAGE_ALL));
  }

  public record Page(long count, List<FileRecord> results) {
  }

  /**
   * The caller's files, newest first. {@code ownerId} (someone else) or {@code all} need
   * files.manage_all.
   */
  public Future<Page> list(String callerId, String ownerId, boolean all, int page, int pageSize) {
    boolean self = !all && (ownerId == null || ownerId.equalsIgnoreCase(callerId));
    Future<Boolean> allowed = self ? Future.succeededFuture(true) : canManageAll(callerId);
    return allowed.compose(ok -> {
      if (!ok) {
        return Future.failedFuture(Problem.of(403, "permission_denied",
            "Listing other users' files needs the permission '" + MANAGE_ALL + "'"));
      }
      UUID owner = all ? null : UUID.fromString(ownerId == null ? callerId : ownerId);
      Future<Long> count = repo.count(owner);
      Future<List<FileRecord>> rows = repo.page(owner, (page - 1) * pageSize, pageSize);
      return Future.all(count, rows).map(v -> new Page(count.result(), rows.result()));
    });
  }

  /** Deletes the row (giving the bytes back to the quota), then the bytes and the thumbnail. */
  public Future<Void> delete(String callerId, UUID fileId) {
    return visible(callerId, fileId)
        .compose(f -> repo.delete(f.id()))
        .compose(deleted -> deleted.map(f -> store.deleteQuietly(store.path(f.storageKey()))
                .compose(v -> store.deleteQuietly(store.thumbnail(f.id()))))
            .orElseGet(() -> Future.failedFuture(Problem.notFound("File"))));
  }

  public Path bytes(FileRecord f) {
    return store.path(f.storageKey());
  }

  public Path thumbnail(FileRecord f) {
    return store.thumbnail(f.id());
  }

  public static Optional<UUID> uuid(String text) {
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
  }
}
