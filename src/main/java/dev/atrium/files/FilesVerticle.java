package dev.atrium.files;

import dev.atrium.events.Addresses;
import dev.atrium.events.FileProcessed;
import dev.atrium.events.FileUploaded;
import dev.atrium.files.storage.ObjectStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After-upload processing, deployed as a WORKER verticle with one instance: it consumes
 * {@code file.uploaded}, reads image dimensions and writes thumbnails (JPEG, PNG, GIF, BMP),
 * moves the file from {@code processing} to {@code ready} or {@code failed}, and publishes
 * {@code file.processed}. One image at a time keeps decoding memory bounded on small heaps;
 * files that a stopped node left in {@code processing} are picked up again at start, and files
 * still {@code processing} after {@link #STUCK_AFTER} (their outcome could not be recorded, say
 * in a PostgreSQL blip) by the sweep, at most {@link #STUCK_BATCH} at a time, each at most once
 * at a time on this node. Every few
 * seconds it also removes the bytes of deleted rows (queued in {@code file_purges} by a trigger,
 * so files of a deleted user go too), unfinished tus uploads past their expiry (finished ones whose
 * last step failed are completed again), and quota
 * reservations left by uploads whose node died.
 */
public final class FilesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FilesVerticle.class);
  static final long PURGE_INTERVAL_MS = 5_000;
  /** Far longer than any image takes, so the sweep takes up only files nobody is processing. */
  static final Duration STUCK_AFTER = Duration.ofMinutes(10);
  static final int STUCK_BATCH = 100;

  private final FileRepository repo;
  private final ObjectStore store;
  private final java.util.function.Supplier<Future<Integer>> tusSweep;
  /** Files being processed on this node (touched on this worker context only). */
  private final Set<UUID> processing = new HashSet<>();

  public FilesVerticle(FileRepository repo, ObjectStore store, java.util.function.Supplier<Future<Integer>> tusSweep) {
    this.repo = repo;
    this.store = store;
    this.tusSweep = tusSweep;
  }

  @Override
  public Future<?> start() {
    ImageIO.setUseCache(false); // no cache files in java.io.tmpdir; sources are local files anyway
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(Addresses.FILE_UPLOADED,
        m -> process(FileUploaded.fromJson(m.body())));
    vertx.setPeriodic(PURGE_INTERVAL_MS, PURGE_INTERVAL_MS, t -> {
      purge();
      resumeStuck(STUCK_BATCH, STUCK_AFTER);
      tusSweep.get().onFailure(e -> LOG.warn("Removing expired uploads failed: {}", e.getMessage()))
          .eventually(() -> repo.releaseExpired())
          .onFailure(e -> LOG.warn("Releasing expired reservations failed: {}", e.getMessage()));
    });
    return consumer.completion().onSuccess(v -> resumeStuck(1000, Duration.ofMinutes(1)));
  }

  /** Removes the bytes and thumbnails of deleted rows, whichever way they were deleted. */
  private void purge() {
    repo.purges(500)
        .compose(list -> {
          List<Future<Void>> deletions = new ArrayList<>();
          for (FileRepository.Purge p : list) {
            deletions.add(store.delete(p.storageKey())
                .compose(v -> store.delete(FileStore.thumbnailKey(p.storageKey()))));
          }
          return Future.join(deletions).compose(v -> list.isEmpty() ? Future.<Void>succeededFuture()
              : repo.purged(list.stream().map(FileRepository.Purge::fileId).toList()));
        })
        .onFailure(t -> LOG.warn("File purge sweep failed: {}", t.getMessage()));
  }

  private void resumeStuck(int limit, Duration olderThan) {
    repo.stuck(limit, olderThan).onSuccess(list -> list.forEach(f -> process(new FileUploaded(f.id().toString(),
            f.ownerId().toString(), f.filename(), f.size(), f.contentType(), f.sha256(), Instant.now()))))
        .onFailure(t -> LOG.warn("Could not look for unprocessed files: {}", t.getMessage()));
  }

  private void process(FileUploaded e) {
    UUID id = UUID.fromString(e.fileId());
    if (!processing.add(id)) {
      return; // already under way here: a sweep found it before its outcome was recorded
    }
    String key = FileStore.storageKey(id);
    Future<Thumbnails.Result> made = ContentSniffer.thumbnailable(e.contentType()) ? thumbnail(key)
        : Future.succeededFuture(new Thumbnails.Result(true, null, null, false, null));
    made.compose(r -> {
      String status = r.ok() ? "ready" : "failed";
      return repo.markProcessed(id, status, r.width(), r.height(), r.thumbnail(), r.error()).map(updated -> {
        if (updated) {
          vertx.eventBus().publish(Addresses.FILE_PROCESSED, new FileProcessed(e.fileId(), e.ownerId(), status,
              r.width(), r.height(), r.error(), Instant.now()).toJson());
        } else if (r.thumbnail()) {
          store.delete(FileStore.thumbnailKey(key)); // deleted while it was being processed
        }
        return null;
      });
    }).onFailure(t -> LOG.error("Could not record processing of file {}", id, t))
        .onComplete(ar -> processing.remove(id));
  }

  /**
   * Decodes a local copy of the image (the file itself on the local store) on this worker thread
   * (callbacks on a worker context run one at a time, so one image is decoded at a time) and
   * stores the thumbnail beside the file.
   */
  private Future<Thumbnails.Result> thumbnail(String key) {
    Path out = store.tmpDir().resolve("thumb-" + UUID.randomUUID() + ".png");
    return store.localCopy(key).compose(copy -> {
      Thumbnails.Result r = Thumbnails.make(copy.path(), out);
      Future<Void> released = copy.temporary() ? vertx.fileSystem().delete(copy.path().toString()).otherwiseEmpty()
          : Future.succeededFuture();
      Future<Void> stored = r.thumbnail() ? store.put(FileStore.thumbnailKey(key), out, "image/png")
          : Future.succeededFuture();
      return Future.join(released, stored).map(v -> stored.succeeded() ? r
          : new Thumbnails.Result(false, r.width(), r.height(), false, "thumbnail_not_stored"));
    }).recover(t -> {
      LOG.warn("Could not read file {} for its thumbnail: {}", key, t.getMessage());
      return Future.succeededFuture(new Thumbnails.Result(false, null, null, false, "unreadable_image"));
    }).eventually(() -> vertx.fileSystem().delete(out.toString()).otherwiseEmpty());
  }
}
