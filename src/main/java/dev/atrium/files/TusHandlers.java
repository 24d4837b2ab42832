package dev.atrium.files;

import dev.atrium.access.Caller;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The tus 1.0.0 routes at {@code /api/files/tus}: core protocol plus creation,
 * creation-with-upload, termination, expiration and checksum (sha256). Bodies are read here,
 * streamed, never buffered; every answer carries {@code Tus-Resumable}.
 */
final class TusHandlers {
  static final String VERSION = "1.0.0";
  static final String EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";
  static final String OCTETS = "application/offset+octet-stream";
  /** A refused request's body is read past up to this size; beyond, its connection is closed. */
  private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

  private final Vertx vertx;
  private final TusService tus;
  private final FilesService files;
  private final TusReceiver receiver;
  private final long maxFileSize;

  TusHandlers(Vertx vertx, TusService tus, FilesService files, long maxFileSize) {
    this.vertx = vertx;
    this.tus = tus;
    this.files = files;
    this.receiver = new TusReceiver(vertx.fileSystem(), files.objects().tmpDir());
    this.maxFileSize = maxFileSize;
  }

  Map<String, Handler<RoutingContext>> operations() {
    return Map.of("tusOptions", this::options, "tusCreate", this::create, "tusHead", this::head,
        "tusPatch", this::patch, "tusDelete", this::delete);
  }

  private void options(RoutingContext ctx) {
    ctx.response().setStatusCode(204).putHeader("Tus-Resumable", VERSION).putHeader("Tus-Version", VERSION)
        .putHeader("Tus-Extension", EXTENSIONS).putHeader("Tus-Max-Size", Long.toString(maxFileSize))
        .putHeader("Tus-Checksum-Algorithm", "sha256").end();
  }

  private void create(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!req.isEnded()) {
      req.pause();
    }
    if (!resumable(ctx)) {
      return;
    }
    if (req.getHeader("Upload-Defer-Length") != null) {
      refuse(ctx, Problem.field("defer_length_unsupported", "Upload-Defer-Length",
          "Send Upload-Length: this server does not support deferred lengths"));
      return;
    }
    Long length = number(req.getHeader("Upload-Length"));
    if (length == null) {
      refuse(ctx, Problem.field("validation_failed", "Upload-Length", "Send the upload's size in bytes"));
      return;
    }
    if (length > maxFileSize) {
      refuse(ctx, Problem.of(413, "file_too_large", "The file is larger than " + maxFileSize + " bytes"));
      return;
    }
    String metadata = req.getHeader("Upload-Metadata");
    Map<String, String> meta = TusMetadata.parse(metadata);
    if (meta == null) {
      refuse(ctx, Problem.field("validation_failed", "Upload-Metadata",
          "Expected comma-separated 'key base64value' pairs, each key once"));
      return;
    }
    String filename = FileNames.sanitize(meta.getOrDefault("filename", meta.getOrDefault("name", "upload")));
    String type = meta.getOrDefault("filetype", meta.get("type"));
    UUID owner = UUID.fromString(Caller.of(ctx).userId());
    boolean withBody = isOctets(req);
    Problem refused = files.admit(owner);
    if (refused != null) {
      refuse(ctx, refused);
      return;
    }
    tus.create(owner, length, filename, type, metadata)
        .compose(u -> {
          ctx.response().putHeader("Location", "/api/files/tus/" + u.id());
          if (!withBody && length > 0) {
            return Future.succeededFuture(0L);
          }
          return tus.lock(owner.toString(), u.id(), 0).compose(lease -> write(ctx, lease, withBody));
        })
        .eventually(() -> {
          files.releaseSlot(owner);
          return Future.succeededFuture();
        })
        .onSuccess(offset -> answer(ctx, 201, offset))
        .onFailure(t -> fail(ctx, t));
  }

  private void head(RoutingContext ctx) {
    if (!resumable(ctx)) {
      return;
    }
    tus.visible(Caller.of(ctx).userId(), id(ctx))
        .onSuccess(u -> {
          HttpServerResponse resp = ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store")
              .putHeader("Upload-Offset", Long.toString(u.offset())).putHeader("Upload-Length", Long.toString(u.length()))
              .putHeader("Upload-Expires", DateTimeFormatter.RFC_1123_DATE_TIME.format(u.expiresAt()
                  .atZoneSameInstant(ZoneOffset.UTC)));
          if (u.metadata() != null && !u.metadata().isEmpty()) {
            resp.putHeader("Upload-Metadata", u.metadata());
          }
          resp.end();
        })
        .onFailure(ctx::fail);
  }

  private void patch(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!req.isEnded()) {
      req.pause();
    }
    if (!resumable(ctx)) {
      return;
    }
    if (!isOctets(req)) {
      refuse(ctx, Problem.of(415, "unsupported_media_type", "Send the bytes as " + OCTETS));
      return;
    }
    Long offset = number(req.getHeader("Upload-Offset"));
    if (offset == null) {
      refuse(ctx, Problem.field("validation_failed", "Upload-Offset", "Send the offset of these bytes"));
      return;
    }
    UUID owner = UUID.fromString(Caller.of(ctx).userId());
    Problem refused = files.admit(owner);
    if (refused != null) {
      refuse(ctx, refused);
      return;
    }
    tus.lock(owner.toString(), id(ctx), offset)
        .compose(lease -> write(ctx, lease, true))
        .eventually(() -> {
          files.releaseSlot(owner);
          return Future.succeededFuture();
        })
        .onSuccess(now -> answer(ctx, 204, now))
        .onFailure(t -> fail(ctx, t));
  }

  /** Receives the body (if any) under the lease, renewing it while the bytes flow, and appends it. */
  private Future<Long> write(RoutingContext ctx, TusService.Lease lease, boolean withBody) {
    byte[] expected;
    try {
      expected = checksum(ctx.request().getHeader("Upload-Checksum"));
    } catch (Problem p) {
      return tus.unlock(lease).compose(v -> Future.failedFuture(p));
    }
    TusRepository.TusUpload u = lease.upload();
    if (!withBody) {
      return tus.append(lease, new TusReceiver.Chunk(null, 0, new UploadDigest(u.digestState()), null, false), null);
    }
    long timer = vertx.setPeriodic(TusService.LEASE.toMillis() / 3, t -> tus.renew(lease));
    return receiver.receive(ctx.request(), u.length() - u.offset(), u.digestState())
        .compose(chunk -> tus.append(lease, chunk, expected)
            .eventually(() -> vertx.fileSystem().delete(chunk.spool().toString()).otherwiseEmpty()),
            t -> tus.unlock(lease).compose(v -> Future.failedFuture(t)))
        .eventually(() -> {
          vertx.cancelTimer(timer);
          return Future.succeededFuture();
        });
  }

  private void delete(RoutingContext ctx) {
    if (!resumable(ctx)) {
      return;
    }
    tus.terminate(Caller.of(ctx).userId(), id(ctx))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, int status, long offset) {
    if (!ctx.response().closed()) { // a cut PATCH still stores what came; nobody waits for the answer
      ctx.response().setStatusCode(status).putHeader("Upload-Offset", Long.toString(offset))
          .putHeader("Upload-Expires", expires()).end();
    }
  }

  private void fail(RoutingContext ctx, Throwable t) {
    if (ctx.response().closed()) {
      return; // the client left (a cut PATCH): what arrived is stored, nobody waits for an answer
    }
    if (t instanceof TusService.OffsetMismatch m) {
      ctx.response().putHeader("Upload-Offset", Long.toString(m.offset));
      t = Problem.of(409, "offset_mismatch", m.getMessage());
    }
    refuse(ctx, t);
  }

  /**
   * Answers a refused request. Its unread body is read past and dropped (up to a limit, then the
   * connection is closed), so a tus client keeps its connection for the HEAD that follows.
   */
  private static void refuse(RoutingContext ctx, Throwable t) {
    HttpServerRequest req = ctx.request();
    if (!req.isEnded()) {
      long[] dropped = {0};
      req.handler(b -> {
        dropped[0] += b.length();
        if (dropped[0] > DRAIN_LIMIT) {
          req.connection().close();
        }
      });
      req.resume();
    }
    ctx.fail(t);
  }

  /** Sets Tus-Resumable on the answer; false (and 412 answered) when the client speaks another version. */
  private static boolean resumable(RoutingContext ctx) {
    ctx.response().putHeader("Tus-Resumable", VERSION);
    if (!VERSION.equals(ctx.request().getHeader("Tus-Resumable"))) {
      ctx.response().putHeader("Tus-Version", VERSION);
      refuse(ctx, Problem.of(412, "tus_version_unsupported", "Send Tus-Resumable: " + VERSION));
      return false;
    }
    return true;
  }

  /** The upload id of the path (these operations skip contract validation); a malformed one is never found. */
  private static UUID id(RoutingContext ctx) {
    return FilesService.uuid(ctx.pathParam("id")).orElse(new UUID(0, 0));
  }

  private static boolean isOctets(HttpServerRequest req) {
    String type = req.getHeader("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith(OCTETS);
  }

  private String expires() {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plus(tus.expiry()));
  }

  private static Long number(String text) {
    if (text == null || text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return Long.parseLong(text);
  }

  /** {@code sha256 <base64>} → the digest; null when absent; 400 for another algorithm or a bad value. */
  private static byte[] checksum(String header) {
    if (header == null) {
      return null;
    }
    String[] parts = header.trim().split(" ");
    if (parts.length != 2 || !parts[0].equals("sha256")) {
      throw Problem.field("checksum_unsupported", "Upload-Checksum", "Only 'sha256 <base64>' is supported");
    }
    try {
      byte[] d = Base64.getDecoder().decode(parts[1].getBytes(StandardCharsets.US_ASCII));
      if (d.length != 32) {
        throw new IllegalArgumentException();
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw Problem.field("validation_failed", "Upload-Checksum", "Not a base64 SHA-256 digest");
    }
  }
}
