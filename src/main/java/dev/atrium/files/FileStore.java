package dev.atrium.files;

import io.vertx.core.Future;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Where bytes live under the data directory: uploads stream into {@code tmp/}, then move
 * (same file system, so atomically) to {@code files/ab/cd/<uuid>}; thumbnails go to
 * {@code thumbs/ab/cd/<uuid>.png}. Storage keys are generated here, never taken from clients.
 */
public final class FileStore {
  private final FileSystem fs;
  private final Path root;

  public FileStore(FileSystem fs, Path dataDir) {
    this.fs = fs;
    this.root = dataDir.toAbsolutePath().normalize();
  }

  public Path tmpDir() {
    return root.resolve("tmp");
  }

  public Path tempFile() {
    return tmpDir().resolve("upload-" + UUID.randomUUID() + ".part");
  }

  /** {@code ab/cd/<uuid>}: two levels of 256 folders keep directories small at millions of files. */
  public static String storageKey(UUID id) {
    String s = id.toString();
    return s.substring(0, 2) + "/" + s.substring(2, 4) + "/" + s;
  }

  public Path path(String storageKey) {
    Path p = root.resolve("files").resolve(storageKey).normalize();
    if (!p.startsWith(root.resolve("files"))) {
      throw new IllegalArgumentException("storage key escapes the store");
    }
    return p;
  }

  public Path thumbnail(UUID id) {
    return root.resolve("thumbs").resolve(storageKey(id) + ".png");
  }

  /** Creates the folders uploads need; called once at start. */
  public Future<Void> prepare() {
    return fs.mkdirs(tmpDir().toString())
        .compose(v -> fs.mkdirs(root.resolve("files").toString()))
        .compose(v -> fs.mkdirs(root.resolve("thumbs").toString()));
  }

  public Future<Void> mkdirsFor(Path file) {
    return fs.mkdirs(file.getParent().toString());
  }

  /** Deletes a file if it is there; never fails (cleanup must not mask the real outcome). */
  public Future<Void> deleteQuietly(Path file) {
    return fs.delete(file.toString()).otherwiseEmpty();
  }

  public FileSystem fs() {
    return fs;
  }
}
