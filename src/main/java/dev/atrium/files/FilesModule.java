package dev.atrium.files;

import dev.atrium.audit.AuditedChange;
import dev.atrium.config.StorageSettings;
import dev.atrium.files.storage.LocalStore;
import dev.atrium.files.storage.ObjectStore;
import dev.atrium.files.storage.S3Store;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.ThreadingModel;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files: streamed batch uploads, downloads with ranges and validators, signed links,
 * thumbnails ({@link FilesVerticle}) and per-user quotas.
 */
public final class FilesModule implements Module {
  public static final int MAX_FILES = 10;
  /** Room for multipart boundaries and part headers on top of ten maximal files. */
  static final long MULTIPART_OVERHEAD = 1024 * 1024;
  /** Temporary files older than this belong to no live upload (the idle timeout ends those sooner). */
  private static final Duration STALE_TEMP = Duration.ofHours(6);
  private static final Logger LOG = LoggerFactory.getLogger(FilesModule.class);

  private final Platform platform;
  private final ObjectStore store;
  private final FileRepository repo;
  private final FilesHandlers handlers;
  private final TusService tus;
  private final TusHandlers tusHandlers;
  private final SignedLinks links;

  public FilesModule(Platform p, Supplier<List<byte[]>> linkKeys, AuditedChange changes) {
    this.platform = p;
    StorageSettings storage = p.config().storage();
    this.store = storage.s3() ? new S3Store(p.vertx(), storage, p.config().dataDir())
        : new LocalStore(p.vertx(), p.config().dataDir());
    this.repo = new FileRepository(p.pool());
    long maxFile = p.config().maxFileSize();
    long maxBody = MAX_FILES * maxFile + MULTIPART_OVERHEAD;
    // the disk reserve guards the data directory; object storage has no such limit
    long diskReserve = storage.s3() ? 0 : storage.diskReserve();
    FilesService service = new FilesService(p.vertx(), p.pool(), repo, store, p.config().userQuota(),
        p.registry(), diskReserve, storage.uploadsPerUser(), changes);
    UploadReceiver receiver = new UploadReceiver(store, maxFile, MAX_FILES, maxBody);
    this.links = new SignedLinks(linkKeys, p.config().signedUrlTtl(), Clock.systemUTC());
    this.handlers = new FilesHandlers(service, receiver, () -> links, maxBody);
    this.tus = new TusService(p.vertx(), p.pool(), new TusRepository(p.pool()), service, storage.tusExpiry());
    this.tusHandlers = new TusHandlers(p.vertx(), tus, service, maxFile);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> all = new java.util.HashMap<>(handlers.operations());
    all.putAll(tusHandlers.operations());
    return all;
  }

  @Override
  public Future<Void> start() {
    return store.start()
        .compose(v -> platform.vertx().executeBlocking(() -> {
          removeStaleTemps(store.tmpDir());
          return null;
        }))
        .compose(v -> platform.vertx().deployVerticle(() -> new FilesVerticle(repo, store, tus::sweep), new DeploymentOptions()
            .setThreadingModel(ThreadingModel.WORKER)
            .setWorkerPoolName("atrium-files")
            .setWorkerPoolSize(1)
            .setInstances(1)))
        .mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    return store.stop();
  }

  /** Leftovers of uploads cut off by a crash; live uploads of other nodes are younger. */
  private static void removeStaleTemps(Path tmp) throws IOException {
    Instant cutoff = Instant.now().minus(STALE_TEMP);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
      for (Path p : entries) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(p);
          LOG.info("Removed stale upload {}", p.getFileName());
        }
      }
    }
  }
}
