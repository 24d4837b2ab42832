package dev.atrium.api;

import dev.atrium.problem.Problem;
import dev.atrium.db.DependencyUnavailable;
import dev.atrium.db.SqlStates;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.pgclient.PgException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into RFC 9457 problem+json: domain {@link Problem}s (the
 * contract validators' included, already one entry per bad field), body and routing errors. Anything
 * unexpected is logged with its stack trace and answered as a bare 500 without details.
 */
public final class ProblemHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
  private static final long RETRY_AFTER_OUTAGE_SECONDS = 2;

  private ProblemHandler() {
  }

  public static void handle(RoutingContext ctx) {
    if (ctx.response().closed()) {
      // the client went away (a cancelled download or export): nobody is left to answer
      LOG.debug("Request {} {} ended by the client: {}", ctx.request().method(), ctx.request().path(),
          ctx.failure() == null ? ctx.statusCode() : ctx.failure().getMessage());
      return;
    }
    send(ctx, toProblem(ctx));
  }

  public static void send(RoutingContext ctx, Problem problem) {
    HttpServerResponse resp = ctx.response();
    if (resp.headWritten()) {
      resp.reset(); // a stream was already under way: the only honest signal left is to cut it
      return;
    }
    JsonObject body = body(problem);
    String requestId = ctx.get(RequestLog.REQUEST_ID);
    if (requestId != null) {
      body.put("request_id", requestId);
    }
    resp.setStatusCode(problem.status()).putHeader("Content-Type", "application/problem+json");
    if (problem.retryAfterSeconds() != null) {
      resp.putHeader("Retry-After", Long.toString(problem.retryAfterSeconds()));
    }
    if (problem.status() == 401) {
      resp.putHeader("WWW-Authenticate", "Bearer");
    }
    if (problem.status() == 413 || !ctx.request().isEnded()) {
      // the rest of an oversized or refused body is not worth reading
      resp.putHeader("Connection", "close");
    }
    resp.end(body.toBuffer());
  }

  /** The RFC 9457 body of a problem: type, title, status, detail, code, and errors when there are. */
  static JsonObject body(Problem problem) {
    JsonObject body = new JsonObject()
        .put("type", "https://atrium.dev/problems/" + problem.code().replace('_', '-'))
        .put("title", title(problem.status()))
        .put("status", problem.status())
        .put("detail", problem.getMessage() == null ? title(problem.status()) : problem.getMessage())
        .put("code", problem.code());
    if (problem.errors() != null && !problem.errors().isEmpty()) {
      body.put("errors", problem.errors());
    }
    if (problem.extensions() != null) {
      problem.extensions().forEach(e -> body.put(e.getKey(), e.getValue()));
    }
    return body;
  }

  static Problem toProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof Problem p) {
      return p;
    }
    DependencyUnavailable outage = DependencyUnavailable.find(failure);
    if (outage != null) {
      // an outage, even when it surfaced through authentication: never a 500, never a 401
      LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), outage.getMessage());
      return Problem.retryLater(503, "dependency_unavailable",
          "A service this request needs is unavailable; try again shortly", RETRY_AFTER_OUTAGE_SECONDS);
    }
    if (failure instanceof HttpException he) {
      if (he.getCause() instanceof Problem p) {
        return p;
      }
      return byStatus(he.getStatusCode(), he.getPayload());
    }
    if (failure != null && failure.getCause() instanceof Problem p) {
      return p;
    }
    if (failure == null) {
      return byStatus(ctx.statusCode(), null);
    }
    if (ctx.statusCode() == 403 && String.valueOf(failure.getMessage()).startsWith("CORS Rejected")) {
      return Problem.of(403, "origin_not_allowed", "This origin may not call the API from a browser");
    }
    if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      return byStatus(ctx.statusCode(), null); // a handler refused the request on purpose
    }
    if (failure instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
      // SQLSTATE class 22 (data exception): a value from the request that PostgreSQL cannot store
      // or compare (a NUL character, a number out of range). The client's input, not our fault;
      // the database's text stays in the log.
      LOG.warn("Refused a value on {} {}: {} {}", ctx.request().method(), ctx.request().path(), pg.getSqlState(),
          pg.getErrorMessage());
      return Problem.of(400, "invalid_value", "A value in the request cannot be stored or compared");
    }
    if (failure instanceof PgException pg && SqlStates.FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())) {
      // A row the change refers to was deleted between the service's check and the write (a user
      // deleted while a role is granted to it): the request names something that is gone.
      LOG.info("Refused a change on {} {}: {}", ctx.request().method(), ctx.request().path(), pg.getErrorMessage());
      return Problem.of(404, "not_found", "A record this request refers to does not exist");
    }
    if (InvalidRequests.undecodableBody(failure)) {
      // the client's malformed bytes, one stack trace each if logged as a fault
      LOG.debug("Undecodable body on {} {}: {}", ctx.request().method(), ctx.request().path(), failure.toString());
      return InvalidRequests.undecodableBody();
    }
    LOG.error("Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    return Problem.of(500, "internal_error", "An unexpected error occurred");
  }

  static Problem byStatus(int status, String detail) {
    return switch (status) {
      case 400 -> Problem.of(400, "bad_request", detail == null ? "The request is malformed" : detail);
      case 401 -> Problem.of(401, "not_authenticated", "Authentication is required");
      case 403 -> Problem.of(403, "permission_denied", "You may not do this");
      case 404 -> Problem.of(404, "route_not_found", "No such route");
      case 405 -> Problem.of(405, "method_not_allowed", "This route does not accept that method");
      case 413 -> Problem.of(413, "payload_too_large", "The request body is too large");
      case 415 -> Problem.of(415, "unsupported_media_type", "Unsupported content type");
      // vertx-web's body handler refuses any Expect but 100-continue (RFC 9110 10.1.1)
      case 417 -> Problem.of(417, "expectation_failed", "The only expectation this server meets is 100-continue");
      case -1, 500 -> Problem.of(500, "internal_error", "An unexpected error occurred");
      default -> Problem.of(status, "http_" + status, title(status));
    };
  }

  /**
   * The status's reason phrase: Netty's, except where RFC 9110 renamed it since RFC 2616 (which
   * Netty follows) and for tus's 460.
   */
  private static String title(int status) {
    return switch (status) {
      case 413 -> "Payload Too Large";
      case 414 -> "URI Too Long";
      case 416 -> "Range Not Satisfiable";
      case 460 -> "Checksum Mismatch"; // tus's checksum extension
      default -> HttpResponseStatus.valueOf(status).reasonPhrase();
    };
  }
}
