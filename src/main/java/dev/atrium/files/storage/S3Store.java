package dev.atrium.files.storage;

import dev.atrium.config.StorageSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Bytes in S3-compatible object storage ({@code ATRIUM_STORAGE=s3}): uploads stream into
 * multipart uploads ({@link S3Sink}, parts in memory within a node-wide {@link PartBudget}),
 * downloads pipe a ranged GET into the response with back-pressure on the serving event loop
 * (or answer with a presigned URL), thumbnails sit beside their file. Only parts spooled when
 * the budget is taken, tus chunks and image copies touch the node's disk ({@code tmp/} in the
 * data directory), so nodes share nothing but the bucket.
 */
public final class S3Store implements ObjectStore {
  /** tus appends above this are split, so no part passes S3's 5 GB limit. */
  private static final long MAX_PART = 1L << 30;

  private final Vertx vertx;
  private final S3Client s3;
  private final StorageSettings settings;
  private final Path tmp;
  private final PartBudget budget;

  public S3Store(Vertx vertx, StorageSettings settings, Path dataDir) {
    this.vertx = vertx;
    this.settings = settings;
    this.s3 = new S3Client(vertx, settings);
    this.budget = new PartBudget(settings.s3UploadMemory());
    this.tmp = dataDir.toAbsolutePath().normalize().resolve("tmp");
  }

  @Override
  public Future<Void> start() {
    return vertx.fileSystem().mkdirs(tmp.toString()).compose(v -> s3.ensureBucket());
  }

  @Override
  public Future<Void> stop() {
    return s3.close();
  }

  @Override
  public Path tmpDir() {
    return tmp;
  }

  @Override
  public long freeSpace() {
    return Long.MAX_VALUE;
  }

  @Override
  public ObjectSink create(String key) {
    return new S3Sink(s3, vertx.fileSystem(), tmp, budget, key, settings.s3PartSize());
  }

  @Override
  public Future<Void> send(HttpServerResponse resp, String key, long offset, long length) {
    if (length == 0) {
      return resp.end(); // an empty file (a zero-length range is not expressible)
    }
    return s3.get(key, offset, length).compose(in -> {
      String size = in.getHeader("Content-Length");
      if (size != null) {
        resp.putHeader("Content-Length", size);
      }
      return in.pipeTo(resp);
    });
  }

  @Override
  public Optional<String> presignedGet(String key, String contentDisposition, String contentType, Duration ttl) {
    return settings.s3PresignedDownloads() ? Optional.of(s3.presignGet(key, contentDisposition, contentType, ttl))
        : Optional.empty();
  }

  @Override
  public Future<LocalCopy> localCopy(String key) {
    Path copy = tmp.resolve("copy-" + UUID.randomUUID());
    return vertx.fileSystem().open(copy.toString(), new OpenOptions().setWrite(true).setCreateNew(true))
        .compose(file -> s3.get(key, 0, Long.MAX_VALUE).compose(in -> in.pipeTo(file))
            .recover(t -> file.close().transform(ar -> Future.failedFuture(t))))
        .map(v -> new LocalCopy(copy, true))
        .onFailure(t -> vertx.fileSystem().delete(copy.toString()));
  }

  @Override
  public Future<Void> put(String key, Path file, String contentType) {
    return vertx.fileSystem().props(file.toString())
        .compose(p -> s3.putFile("PutObject", key, Map.of(), file, 0, p.size(), Map.of("Content-Type", contentType)))
        .eventually(() -> vertx.fileSystem().delete(file.toString()).otherwiseEmpty())
        .mapEmpty();
  }

  @Override
  public Future<Void> delete(String key) {
    return s3.delete(key).otherwiseEmpty();
  }

  // ---- resumable: a multipart upload; appends under 5 MB wait in a small "tail" object

  private static String tailKey(String key) {
    return key + ".tus-tail";
  }

  @Override
  public Future<JsonObject> resumableStart(String key) {
    return s3.createMultipart(key).map(id -> new JsonObject().put("upload_id", id).put("parts", new JsonArray())
        .put("tail", 0L));
  }

  /**
   * Appends a chunk: with what waits in the tail, five megabytes or more become parts (S3's
   * minimum for all but the last part); less is kept as the new tail object until the next
   * append, which may come to another node.
   */
  @Override
  public Future<JsonObject> resumableAppend(String key, JsonObject state, Path chunk, long length) {
    long tail = state.getLong("tail");
    Future<Path> combined = tail == 0 ? Future.succeededFuture(chunk) : withTail(key, chunk);
    long total = tail + length;
    return combined.compose(file -> {
      Future<JsonObject> stored = total >= StorageSettings.MIN_PART ? uploadParts(key, state, file, total)
          : s3.putFile("PutObject", tailKey(key), Map.of(), file, 0, total, Map.of())
              .map(v -> state.copy().put("tail", total));
      return file.equals(chunk) ? stored : stored.eventually(() -> vertx.fileSystem().delete(file.toString())
          .otherwiseEmpty());
    });
  }

  /** A local file holding the tail object followed by the chunk. */
  private Future<Path> withTail(String key, Path chunk) {
    return localCopy(tailKey(key)).compose(copy -> vertx.fileSystem()
        .open(copy.path().toString(), new OpenOptions().setWrite(true).setAppend(true))
        .compose(target -> vertx.fileSystem().open(chunk.toString(), new OpenOptions().setRead(true))
            .compose(source -> source.setReadBufferSize(S3Client.READ_BUFFER).pipeTo(target)))
        .map(copy.path())
        .onFailure(t -> vertx.fileSystem().delete(copy.path().toString())));
  }

  private Future<JsonObject> uploadParts(String key, JsonObject state, Path file, long total) {
    String id = state.getString("upload_id");
    JsonArray parts = state.getJsonArray("parts").copy();
    int pieces = (int) ((total + MAX_PART - 1) / MAX_PART);
    long piece = (total + pieces - 1) / pieces;
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < pieces; i++) {
      long offset = i * piece;
      long size = Math.min(piece, total - offset);
      chain = chain.compose(v -> {
        int number = parts.size() + 1;
        return s3.uploadPart(key, id, number, file, offset, size)
            .map(etag -> {
              parts.add(new JsonObject().put("n", number).put("etag", etag));
              return null;
            });
      });
    }
    return chain.map(v -> state.copy().put("parts", parts).put("tail", 0L));
  }

  @Override
  public Future<Void> resumableFinish(String key, JsonObject state) {
    String id = state.getString("upload_id");
    long tail = state.getLong("tail");
    JsonArray stored = state.getJsonArray("parts");
    if (stored.isEmpty() && tail == 0) {
      // an empty file: a multipart upload cannot be completed without a part
      return s3.abortMultipart(key, id).otherwiseEmpty()
          .compose(v -> s3.call("PutObject", io.vertx.core.http.HttpMethod.PUT, key, Map.of(), Map.of(),
              io.vertx.core.buffer.Buffer.buffer(), 0))
          .mapEmpty();
    }
    Future<JsonArray> parts = tail == 0 ? Future.succeededFuture(stored) : localCopy(tailKey(key))
        .compose(copy -> s3.uploadPart(key, id, stored.size() + 1, copy.path(), 0, tail)
            .map(etag -> stored.copy().add(new JsonObject().put("n", stored.size() + 1).put("etag", etag)))
            .eventually(() -> vertx.fileSystem().delete(copy.path().toString()).otherwiseEmpty()));
    return parts.compose(list -> {
      List<S3Client.Part> out = new ArrayList<>();
      list.forEach(o -> out.add(new S3Client.Part(((JsonObject) o).getInteger("n"), ((JsonObject) o).getString("etag"))));
      return s3.completeMultipart(key, id, out);
    })
        // again after an attempt that completed the upload but failed later: the tail and the
        // multipart upload are gone, the object is there (its key belongs to this upload alone)
        .recover(t -> s3.exists(key).compose(done -> done ? Future.<Void>succeededFuture() : Future.failedFuture(t)))
        .compose(v -> tail == 0 ? Future.<Void>succeededFuture() : s3.delete(tailKey(key)).otherwiseEmpty());
  }

  @Override
  public Future<Void> resumableAbort(String key, JsonObject state) {
    String id = state.getString("upload_id");
    return (id == null ? Future.<Void>succeededFuture() : s3.abortMultipart(key, id).otherwiseEmpty())
        .compose(v -> s3.delete(tailKey(key)).otherwiseEmpty());
  }
}
