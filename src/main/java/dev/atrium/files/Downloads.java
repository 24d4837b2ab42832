package dev.atrium.files;

import dev.atrium.problem.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import dev.atrium.files.storage.ObjectStore;

/**
 * Writes a stored file to a response, streamed from the store (zero-copy {@code sendFile} on the
 * local file system, a ranged GET piped with back-pressure from S3; never a whole read): validators (ETag from the
 * SHA-256, If-None-Match → 304, If-Range), one byte range → 206, an unsatisfiable one → 416,
 * and headers that keep a browser from running what it downloads. The socket is corked while a
 * file goes out ({@link TcpCork}).
 */
final class Downloads {
  private Downloads() {
  }

  static void send(RoutingContext ctx, FileRecord f, ObjectStore store, boolean inline) {
    HttpServerRequest req = ctx.request();
    HttpServerResponse resp = ctx.response();
    String etag = f.etag();
    validators(resp, etag);
    if (notModified(req.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      resp.setStatusCode(304).end();
      return;
    }
    resp.putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.CONTENT_TYPE, ContentSniffer.headerValue(f.contentType()))
        .putHeader("Content-Disposition", FileNames.contentDisposition(inline ? "inline" : "attachment", f.filename()))
        .putHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    String ifRange = req.getHeader("If-Range");
    RangeRequest range = ifRange != null && !ifRange.trim().equals(etag)
        ? RangeRequest.FULL : RangeRequest.parse(req.getHeader("Range"), f.size());
    if (range instanceof RangeRequest.Unsatisfiable) {
      resp.headers().remove("Content-Disposition");
      resp.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + f.size());
      ctx.fail(Problem.of(416, "range_not_satisfiable",
          "The requested range is outside the file's " + f.size() + " bytes"));
      return;
    }
    if (range instanceof RangeRequest.Single s) {
      // Content-Length set here, not left to the store, so a HEAD (which sends no bytes) keeps it too
      resp.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, s.contentRange(f.size()))
          .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(s.length()));
      TcpCork.around(req, () -> store.send(resp, f.storageKey(), s.first(), s.length())).onFailure(t -> failed(ctx, t));
      return;
    }
    resp.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(f.size()));
    TcpCork.around(req, () -> store.send(resp, f.storageKey(), 0, f.size())).onFailure(t -> failed(ctx, t));
  }

  static void sendThumbnail(RoutingContext ctx, FileRecord f, ObjectStore store) {
    HttpServerResponse resp = ctx.response();
    String etag = "\"" + f.sha256() + "-t\"";
    validators(resp, etag);
    if (notModified(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      resp.setStatusCode(304).end();
      return;
    }
    resp.putHeader(HttpHeaders.CONTENT_TYPE, "image/png")
        .putHeader("Content-Disposition", FileNames.contentDisposition("inline", f.filename() + ".thumb.png"));
    store.send(resp, FileStore.thumbnailKey(f.storageKey()), 0, Long.MAX_VALUE).onFailure(t -> failed(ctx, t));
  }

  /**
   * Browsers may keep a copy but must revalidate (a cheap 304); compression is off, since it
   * would break ranges and Content-Length and gains nothing on already packed files.
   */
  private static void validators(HttpServerResponse resp, String etag) {
    resp.putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.CACHE_CONTROL, "private, no-cache")
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
  }

  /** RFC 9110 §13.1.2: weak comparison; {@code *} matches any current representation. */
  static boolean notModified(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static void failed(RoutingContext ctx, Throwable t) {
    if (!ctx.response().headWritten()) {
      ctx.fail(t);
    } else {
      ctx.response().reset(); // cut the stream: a short body must not look complete
    }
  }
}
