package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Bytes on the local file system under the data directory: {@code files/<key>} (thumbnails
 * beside their file), written through {@code tmp/} and moved into place atomically (same file
 * system). Downloads use the zero-copy {@code sendFile}. Free space is measured every few
 * seconds on a worker thread, so the upload path never asks the disk itself.
 */
public final class LocalStore implements ObjectStore {
  private static final CopyOptions ATOMIC = new CopyOptions().setAtomicMove(true).setReplaceExisting(true);
  private static final long SPACE_CHECK_MS = 2_000;

  private final Vertx vertx;
  private final FileSystem fs;
  private final Path root;
  private final Path files;
  private volatile long freeSpace = Long.MAX_VALUE;
  private long timer = -1;

  public LocalStore(Vertx vertx, Path dataDir) {
    this.vertx = vertx;
    this.fs = vertx.fileSystem();
    this.root = dataDir.toAbsolutePath().normalize();
    this.files = root.resolve("files");
  }

  @Override
  public Future<Void> start() {
    return fs.mkdirs(tmpDir().toString())
        .compose(v -> fs.mkdirs(files.toString()))
        .compose(v -> fs.mkdirs(root.resolve("tus").toString()))
        .compose(v -> measureSpace())
        .onSuccess(v -> timer = vertx.setPeriodic(SPACE_CHECK_MS, t -> measureSpace()));
  }

  private Future<Void> measureSpace() {
    return vertx.executeBlocking(() -> Files.getFileStore(tmpDir()).getUsableSpace(), false)
        .onSuccess(free -> freeSpace = free)
        .mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  @Override
  public Path tmpDir() {
    return root.resolve("tmp");
  }

  @Override
  public long freeSpace() {
    return freeSpace;
  }

  /** The file of a key; keys are server-made, the check guards against a bug, not a client. */
  public Path path(String key) {
    Path p = files.resolve(key).normalize();
    if (!p.startsWith(files)) {
      throw new IllegalArgumentException("storage key escapes the store");
    }
    return p;
  }

  @Override
  public ObjectSink create(String key) {
    return new LocalSink(fs, tmpDir().resolve("upload-" + UUID.randomUUID() + ".part"), path(key));
  }

  @Override
  public Future<Void> send(HttpServerResponse resp, String key, long offset, long length) {
    return resp.sendFile(path(key).toString(), offset, length);
  }

  @Override
  public Future<LocalCopy> localCopy(String key) {
    return Future.succeededFuture(new LocalCopy(path(key), false));
  }

  @Override
  public Future<Void> put(String key, Path file, String contentType) {
    Path target = path(key);
    return fs.mkdirs(target.getParent().toString())
        .compose(v -> fs.move(file.toString(), target.toString(), ATOMIC));
  }

  @Override
  public Future<Void> delete(String key) {
    return fs.delete(path(key).toString()).otherwiseEmpty();
  }

  // ---- resumable: one file in tus/ that appends grow; every node mounts the data directory.
  // Not in tmp/, whose files are removed at start-up after 6 h: an upload may wait longer.

  private Path resumable(String key) {
    return root.resolve("tus").resolve(key.replace('/', '_') + ".part");
  }

  @Override
  public Future<JsonObject> resumableStart(String key) {
    return fs.writeFile(resumable(key).toString(), io.vertx.core.buffer.Buffer.buffer()).map(v -> new JsonObject());
  }

  @Override
  public Future<JsonObject> resumableAppend(String key, JsonObject state, Path chunk, long length) {
    return fs.open(resumable(key).toString(), new OpenOptions().setWrite(true).setAppend(true))
        .compose(target -> fs.open(chunk.toString(), new OpenOptions().setRead(true))
            .compose(source -> source.setReadBufferSize(S3Client.READ_BUFFER).pipeTo(target))
            .eventually(() -> target.close().otherwiseEmpty()))
        .map(v -> state);
  }

  @Override
  public Future<Void> resumableFinish(String key, JsonObject state) {
    Path target = path(key);
    String part = resumable(key).toString();
    // again after an attempt that moved the file but failed later: the file is in place already
    return fs.exists(part).compose(there -> !there ? fs.exists(target.toString()).compose(done -> done
        ? Future.<Void>succeededFuture() : Future.failedFuture(new java.io.FileNotFoundException(part)))
        : fs.mkdirs(target.getParent().toString()).compose(v -> fs.move(part, target.toString(), ATOMIC)));
  }

  @Override
  public Future<Void> resumableAbort(String key, JsonObject state) {
    return fs.delete(resumable(key).toString()).otherwiseEmpty();
  }

}
