package dev.atrium.files;

import dev.atrium.access.Caller;
import dev.atrium.api.Timestamps;
import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import dev.atrium.problem.Problem;
import dev.atrium.api.ProblemHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Binds the contract's {@code files} operations. The upload checks its own input: its body
 * is read here, part by part, by {@link UploadReceiver}. Downloads and thumbnails accept a
 * bearer token or a signed link.
 */
public final class FilesHandlers {
  private final FilesService files;
  private final UploadReceiver receiver;
  private final Supplier<SignedLinks> links;
  private final long maxBodyBytes;
  /** How long a request's reservation may outlive a node that died mid-upload. */
  private static final java.time.Duration PRESIGNED_TTL = java.time.Duration.ofMinutes(5);
  private static final java.time.Duration UPLOAD_RESERVATION = java.time.Duration.ofHours(6);

  public FilesHandlers(FilesService files, UploadReceiver receiver, Supplier<SignedLinks> links, long maxBodyBytes) {
    this.files = files;
    this.receiver = receiver;
    this.links = links;
    this.maxBodyBytes = maxBodyBytes;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "uploadFiles", this::upload,
        "listFiles", this::list,
        "getFileQuota", this::quota,
        "getFile", this::get,
        "deleteFile", this::delete,
        "downloadFile", this::download,
        "getFileThumbnail", this::thumbnail);
  }

  private void upload(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    UUID owner = UUID.fromString(Caller.of(ctx).userId());
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("multipart/form-data") || !lower.contains("boundary=")) {
      refuse(ctx, Problem.of(415, "unsupported_media_type",
          "Send multipart/form-data with the files in the field 'files'"));
      return;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && declaredTooLarge(length)) {
      refuse(ctx, Problem.of(413, "payload_too_large",
          "The request body is larger than " + maxBodyBytes + " bytes"));
      return;
    }
    // Nothing is read until the upload is admitted and its declared size (a chunked body: the
    // largest allowed) is reserved against the quota.
    req.pause();
    long declared = length == null ? maxBodyBytes : Long.parseLong(length.trim());
    files.begin(owner, declared, false, UPLOAD_RESERVATION)
        .onFailure(t -> refuse(ctx, t))
        .onSuccess(reservation -> receive(ctx, reservation));
  }

  private void receive(RoutingContext ctx, FilesService.Reservation reservation) {
    HttpServerRequest req = ctx.request();
    if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
      req.response().writeContinue();
    }
    receiver.receive(req, reservation.bytes())
        .compose(parts -> files.store(reservation, parts))
        .eventually(() -> files.end(reservation))
        .onSuccess(outcomes -> {
          JsonArray results = new JsonArray();
          outcomes.forEach(o -> results.add(json(o)));
          Inputs.json(ctx, 200, new JsonObject().put("results", results));
        })
        .onFailure(t -> {
          if (!req.response().closed()) {
            refuse(ctx, t);
          }
        });
  }

  /** Answers a request whose body is left unread: the connection cannot be reused, so it is closed. */
  static void refuse(RoutingContext ctx, Throwable t) {
    HttpServerRequest req = ctx.request();
    if (!req.isEnded()) {
      ctx.addEndHandler(v -> req.connection().close());
      req.resume(); // a paused request would keep the response from being written promptly
    }
    ctx.fail(t);
  }

  private boolean declaredTooLarge(String length) {
    try {
      return Long.parseLong(length.trim()) > maxBodyBytes;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private void list(RoutingContext ctx) {
    PageRequest page = PageRequest.of(ctx);
    String owner = Inputs.query(ctx, "owner_id");
    boolean all = "true".equals(Inputs.query(ctx, "all"));
    files.list(Caller.of(ctx), owner, all, page.page(), page.size())
        .onSuccess(p -> page.end(ctx, p, this::json))
        .onFailure(ctx::fail);
  }

  private void quota(RoutingContext ctx) {
    files.quota(UUID.fromString(Caller.of(ctx).userId()))
        .onSuccess(q -> Inputs.json(ctx, 200, new JsonObject().put("used_bytes", q.used())
            .put("limit_bytes", q.limit()).put("left_bytes", q.left())))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    files.visible(Caller.of(ctx), UUID.fromString(Inputs.path(ctx, "id")))
        .onSuccess(f -> Inputs.json(ctx, 200, json(f)))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    files.delete(Caller.of(ctx), UUID.fromString(Inputs.path(ctx, "id")))
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void download(RoutingContext ctx) {
    authorize(ctx, SignedLinks.Kind.DOWNLOAD)
        .onSuccess(f -> {
          boolean inline = wantsInline(ctx, f);
          var presigned = files.objects().presignedGet(f.storageKey(),
              FileNames.contentDisposition(inline ? "inline" : "attachment", f.filename()),
              ContentSniffer.headerValue(f.contentType()), PRESIGNED_TTL);
          if (presigned.isPresent()) {
            ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, presigned.get())
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end();
          } else {
            Downloads.send(ctx, f, files.objects(), inline);
          }
        })
        .onFailure(ctx::fail);
  }

  private void thumbnail(RoutingContext ctx) {
    authorize(ctx, SignedLinks.Kind.THUMBNAIL)
        .onSuccess(f -> {
          if (!f.hasThumbnail()) {
            ctx.fail(Problem.of(404, "thumbnail_unavailable", "processing".equals(f.status())
                ? "The thumbnail is not ready yet" : "This file has no thumbnail"));
            return;
          }
          Downloads.sendThumbnail(ctx, f, files.objects());
        })
        .onFailure(ctx::fail);
  }

  private static boolean wantsInline(RoutingContext ctx, FileRecord f) {
    return "inline".equals(Inputs.query(ctx, "disposition")) && ContentSniffer.inlineSafe(f.contentType());
  }

  /**
   * A valid signed link is enough on its own; otherwise the bearer must own the file or hold
   * files.manage_all. A bad link without a bearer is 403 (the link was the credential).
   */
  private Future<FileRecord> authorize(RoutingContext ctx, SignedLinks.Kind kind) {
    String id = Inputs.path(ctx, "id");
    UUID fileId = UUID.fromString(id);
    String sig = Inputs.query(ctx, "sig");
    String expires = Inputs.query(ctx, "expires");
    boolean bearer = hasBearer(ctx);
    if (sig != null || expires != null) {
      SignedLinks.Check check = links.get().check(kind, id, expires == null ? null : Long.valueOf(expires), sig);
      if (check == SignedLinks.Check.VALID) {
        return files.byLink(fileId);
      }
      if (!bearer) {
        return Future.failedFuture(check == SignedLinks.Check.EXPIRED
            ? Problem.of(403, "link_expired", "This link has expired; ask for a new one")
            : Problem.of(403, "link_invalid", "This link is not valid"));
      }
    }
    if (!bearer) {
      return Future.failedFuture(Problem.of(401, "not_authenticated",
          "Send a bearer token or use a signed link"));
    }
    return files.visible(Caller.of(ctx), fileId);
  }

  private static boolean hasBearer(RoutingContext ctx) {
    User user = ctx.user();
    return user != null && user.principal() != null && user.principal().getString("sub") != null;
  }

  private JsonObject json(FilesService.Outcome o) {
    if (o instanceof FilesService.Stored s) {
      return new JsonObject().put("filename", s.filename()).put("status", "success")
          .put("file_id", s.id().toString()).put("size", s.size()).put("content_type", s.contentType())
          .put("sha256", s.sha256());
    }
    FilesService.Failed f = (FilesService.Failed) o;
    return new JsonObject().put("filename", f.filename()).put("status", "error").put("code", f.code())
        .put("message", f.message());
  }

  private JsonObject json(FileRecord f) {
    String id = f.id().toString();
    SignedLinks l = links.get();
    return new JsonObject()
        .put("id", id)
        .put("owner_id", f.ownerId().toString())
        .put("filename", f.filename())
        .put("size", f.size())
        .put("content_type", f.contentType())
        .put("sha256", f.sha256())
        .put("status", f.status())
        .put("width", f.width())
        .put("height", f.height())
        .put("error", f.error())
        .put("created_at", Timestamps.format(f.createdAt()))
        .put("processed_at", Timestamps.format(f.processedAt()))
        .put("download_url", "/api/files/download/" + id + l.query(SignedLinks.Kind.DOWNLOAD, id))
        .put("thumbnail_url", f.hasThumbnail()
            ? "/api/files/" + id + "/thumbnail" + l.query(SignedLinks.Kind.THUMBNAIL, id) : null);
  }


}
