package dev.atrium.files;

import dev.atrium.problem.Problem;
import dev.atrium.files.storage.ObjectStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumable uploads (tus 1.0.0): the rules behind {@link TusHandlers}. The state of an upload
 * lives in PostgreSQL ({@link TusRepository}) and its bytes in the object store, so any node
 * continues what another began; a PATCH holds the upload's lease, so two never append at once.
 * The quota is reserved whole at creation; a finished upload becomes an ordinary file with the
 * upload's id (row, {@code file.uploaded}, thumbnail, push frame). What must commit together
 * runs in one transaction opened here; {@link TusRepository} takes its connection.
 */
final class TusService {
  static final Duration LEASE = Duration.ofSeconds(60);
  private static final Logger LOG = LoggerFactory.getLogger(TusService.class);

  private final Vertx vertx;
  private final Pool pool;
  private final TusRepository repo;
  private final FilesService files;
  private final ObjectStore store;
  private final Duration expiry;

  TusService(Vertx vertx, Pool pool, TusRepository repo, FilesService files, Duration expiry) {
    this.vertx = vertx;
    this.pool = pool;
    this.repo = repo;
    this.files = files;
    this.store = files.objects();
    this.expiry = expiry;
  }

  Duration expiry() {
    return expiry;
  }

  /** Creates an upload of {@code length} bytes, reserving them; 413 {@code quota_exceeded} when they do not fit. */
  Future<TusRepository.TusUpload> create(UUID owner, long length, String filename, String type, String metadata) {
    UUID id = UUID.randomUUID();
    String key = FileStore.storageKey(id);
    return files.reserveAll(id, owner, length, expiry.plus(LEASE))
        .compose(fits -> fits ? store.resumableStart(key) : Future.failedFuture(Problem.of(413, "quota_exceeded",
            "Your storage quota does not leave room for this file")))
        .compose(state -> {
          TusRepository.TusUpload u = new TusRepository.TusUpload(id, owner, filename, type, metadata, length, 0, key,
              state, null, new byte[0], null);
          return repo.insert(u, expiry).map(v -> u)
              .recover(t -> store.resumableAbort(key, state).compose(x -> Future.failedFuture(t)));
        })
        .onFailure(t -> files.release(id))
        .compose(u -> repo.find(id).map(found -> found.orElseThrow()));
  }

  /** The caller's upload; someone else's, or an unknown id, is 404; an expired one 410. */
  Future<TusRepository.TusUpload> visible(String callerId, UUID id) {
    return repo.find(id).compose(found -> {
      if (found.isEmpty() || !found.get().ownerId().toString().equals(callerId)) {
        return Future.failedFuture(Problem.notFound("Upload"));
      }
      if (found.get().expired()) {
        return Future.failedFuture(Problem.of(410, "upload_expired", "This upload has expired; start a new one"));
      }
      return Future.succeededFuture(found.get());
    });
  }

  /** A held lease: the upload as it was when taken, and the token that proves it is ours. */
  record Lease(TusRepository.TusUpload upload, String token) {
  }

  /** Takes the lease for a PATCH at {@code offset}: 423 while another holds it, 409 (with the real offset) on a mismatch. */
  Future<Lease> lock(String callerId, UUID id, long offset) {
    String token = UUID.randomUUID().toString();
    return visible(callerId, id)
        .compose(u -> repo.lock(id, token, LEASE))
        .compose(locked -> {
          if (locked.isEmpty()) {
            return Future.failedFuture(Problem.of(423, "upload_locked", "Another request is writing this upload"));
          }
          TusRepository.TusUpload u = locked.get();
          if (u.offset() != offset) {
            return repo.unlock(id, token).compose(v -> Future.failedFuture(new OffsetMismatch(u.offset())));
          }
          return Future.succeededFuture(new Lease(u, token));
        });
  }

  /** 409 Conflict: the PATCH was not at the upload's offset; the answer carries the real one. */
  static final class OffsetMismatch extends RuntimeException {
    final long offset;

    OffsetMismatch(long offset) {
      super("Upload-Offset does not match the upload's offset " + offset, null, false, false);
      this.offset = offset;
    }
  }

  Future<Void> renew(Lease lease) {
    return repo.renew(lease.upload().id(), lease.token(), LEASE);
  }

  Future<Void> unlock(Lease lease) {
    return repo.unlock(lease.upload().id(), lease.token()).otherwiseEmpty();
  }

  /**
   * Appends what a request brought and gives up the lease; returns the new offset. A chunk whose
   * {@code Upload-Checksum} does not match (or that was cut off while one was asked for) stores
   * nothing: 460. When the last byte is in, the upload becomes a file.
   */
  Future<Long> append(Lease lease, TusReceiver.Chunk chunk, byte[] expectedSha256) {
    TusRepository.TusUpload u = lease.upload();
    if (expectedSha256 != null && (chunk.cut() || !MessageDigest.isEqual(expectedSha256, chunk.requestSha256()))) {
      return unlock(lease).compose(v -> Future.failedFuture(chunk.cut() ? Problem.of(400, "upload_incomplete",
          "The body ended early; nothing was stored") : Problem.of(460, "checksum_mismatch",
          "Upload-Checksum does not match the body; nothing was stored")));
    }
    long offset = u.offset() + chunk.size();
    Future<JsonObject> appended = chunk.size() == 0 ? Future.succeededFuture(u.storeState())
        : store.resumableAppend(u.storageKey(), u.storeState(), chunk.spool(), chunk.size());
    byte[] head = u.head().length >= ContentSniffer.HEAD ? u.head() : concat(u.head(), chunk.digest());
    return appended
        .compose(state -> pool.withTransaction(tx -> repo.advance(tx, u.id(), lease.token(), offset, state,
                chunk.digest().state(), head, expiry))
            .compose(kept -> kept ? Future.succeededFuture(state) : Future.failedFuture(Problem.of(423,
                "upload_locked", "The upload's lease was lost; send HEAD and resume"))))
        .compose(state -> offset < u.length() ? Future.succeededFuture(offset)
            : complete(u, state, chunk.digest().state(), head).map(offset))
        .recover(t -> unlock(lease).compose(v -> Future.failedFuture(t)));
  }

  private static byte[] concat(byte[] head, UploadDigest digest) {
    int n = Math.min(ContentSniffer.HEAD - head.length, digest.headLength());
    byte[] out = Arrays.copyOf(head, head.length + n);
    System.arraycopy(digest.head(), 0, out, head.length, n);
    return out;
  }

  /** The last byte is in: the object takes its final place and the upload becomes a file. */
  Future<Void> complete(TusRepository.TusUpload u, JsonObject state, byte[] digestState, byte[] head) {
    String sha = new UploadDigest(digestState).hex();
    String type = ContentSniffer.sniff(head, head.length, u.declaredType(), u.filename());
    FileRepository.NewFile row = new FileRepository.NewFile(u.id(), u.ownerId(), u.filename(), u.storageKey(),
        u.length(), type, u.declaredType(), sha);
    return store.resumableFinish(u.storageKey(), state)
        .compose(v -> pool.withTransaction(tx -> files.insert(tx, u.id(), row).compose(v2 -> repo.delete(tx, u.id()))))
        .compose(v -> files.release(u.id()))
        .onSuccess(v -> files.announce(u.ownerId(), new FilesService.Stored(u.id(), u.filename(), u.length(), type,
            sha)))
        .onFailure(t -> LOG.error("Completing upload {} failed", u.id(), t));
  }

  /** Termination: the bytes go, the reservation is given back. */
  Future<Void> terminate(String callerId, UUID id) {
    return visible(callerId, id).recover(t -> t instanceof Problem p && p.status() == 410
            ? repo.find(id).map(found -> found.orElseThrow()) : Future.failedFuture(t))
        .compose(this::remove);
  }

  private Future<Void> remove(TusRepository.TusUpload u) {
    return repo.delete(u.id())
        .compose(deleted -> deleted ? store.resumableAbort(u.storageKey(), u.storeState())
            .compose(v -> files.release(u.id())) : Future.failedFuture(Problem.notFound("Upload")));
  }

  /**
   * Removes unfinished uploads past their expiry, with their bytes, and completes again the
   * finished ones whose completion failed; returns how many were removed.
   */
  Future<Integer> sweep() {
    Future<Void> retried = repo.uncompleted(100)
        .compose(list -> Future.join(list.stream().map(this::completeAgain).toList())).mapEmpty();
    return retried.transform(ar -> repo.expired(100)
        .compose(list -> Future.join(list.stream().map(this::remove).toList()).map(v -> list.size())));
  }

  /**
   * Completes an upload whose last byte is in, under its lease (renewed meanwhile). Completion is
   * idempotent: the store accepts an object that an earlier attempt already put in place, and the
   * database steps commit together. A failure keeps the lease until it runs out, so a failing
   * upload is tried about once a lease, until it expires.
   */
  private Future<Void> completeAgain(TusRepository.TusUpload found) {
    String token = UUID.randomUUID().toString();
    return repo.lock(found.id(), token, LEASE).compose(locked -> {
      if (locked.isEmpty() || locked.get().offset() != locked.get().length()) {
        return Future.<Void>succeededFuture();
      }
      TusRepository.TusUpload u = locked.get();
      long timer = vertx.setPeriodic(LEASE.toMillis() / 3, t -> repo.renew(u.id(), token, LEASE));
      return complete(u, u.storeState(), u.digestState(), u.head())
          .eventually(() -> {
            vertx.cancelTimer(timer);
            return Future.succeededFuture();
          });
    }).otherwiseEmpty();
  }
}
