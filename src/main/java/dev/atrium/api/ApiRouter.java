package dev.atrium.api;

import dev.atrium.api.validation.ContractValidators;
import dev.atrium.platform.Module;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the HTTP router from openapi.yaml. Every request passes the edge handlers (request id
 * and access log, trailing-slash folding, CORS, security headers, a 1 MB body limit); every
 * contract operation then runs authentication (the contract's security), the permission
 * check ({@code x-permission}), its own body limit ({@code x-body-limit}), the request check
 * compiled from the contract (skipped for {@code x-streamed-body} and {@code x-self-checked}), and
 * its domain handler.
 */
public final class ApiRouter {
  public static final long BODY_LIMIT = 1024 * 1024;
  public static final String CONTRACT = "openapi.yaml";

  private final Vertx vertx;
  private final AuthenticationProvider bearerAuth;
  private final AuthenticationProvider apiKeyAuth;
  private final RouteGuards guards;
  private final List<String> corsOrigins;
  private final boolean trustProxy;
  private final Optional<String> publicUrl;

  public ApiRouter(Vertx vertx, AuthenticationProvider bearerAuth, AuthenticationProvider apiKeyAuth, RouteGuards guards,
                   List<String> corsOrigins, boolean trustProxy, Optional<String> publicUrl) {
    this.vertx = vertx;
    this.bearerAuth = bearerAuth;
    this.apiKeyAuth = apiKeyAuth;
    this.guards = guards;
    this.corsOrigins = corsOrigins;
    this.trustProxy = trustProxy;
    this.publicUrl = publicUrl;
  }

  public Future<Router> build(List<Module> modules) {
    Map<String, Handler<RoutingContext>> operations = new HashMap<>();
    for (Module module : modules) {
      module.operations().forEach((id, handler) -> {
        if (operations.putIfAbsent(id, handler) != null) {
          throw new IllegalStateException("Operation " + id + " is bound twice");
        }
      });
    }
    return ContractLoader.load(vertx, CONTRACT).map(loaded -> {
      ContractValidators validators = new ContractValidators(loaded.json());
      Authentication authentication = new Authentication(loaded.json(),
          Map.of("bearerAuth", bearerAuth, "apiKeyAuth", apiKeyAuth));
      RouterBuilder builder = RouterBuilder.create(vertx, loaded.model());
      BodyHandler bodyHandler = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
      // Operations with their own body limit read it on their route, after the permission check.
      Set<String> ownBodyPaths = new HashSet<>();
      builder.getRoutes().stream().map(OpenAPIRoute::getOperation)
          .filter(op -> OperationPolicy.of(op).readsOwnBody())
          .forEach(op -> ownBodyPaths.add(op.getOpenAPIPath()));
      // Multipart uploads are read by their handler, chunk by chunk; a WebSocket
      // upgrade must reach its handler unread, or the handshake cannot take the connection over.
      Handler<RoutingContext> body = ctx -> {
        if (isMultipart(ctx) || isStreamedUpload(ctx) || isWebSocketUpgrade(ctx)
            || ownBodyPaths.contains(ctx.request().path())) {
          ctx.next();
        } else {
          bodyHandler.handle(ctx);
        }
      };
      builder.rootHandler(new TrailingSlash())
          .rootHandler(new HeadAsGet(builder.getRoutes().stream()
              .filter(r -> r.getOperation().getHttpMethod() == HttpMethod.HEAD)
              .map(r -> r.getOperation().getOpenAPIPath()).toList()))
          .rootHandler(new RequestLog(trustProxy))
          .rootHandler(new SecurityHeaders())
          .rootHandler(new SameOriginCors(cors()))
          .rootHandler(body);

      for (OpenAPIRoute route : builder.getRoutes()) {
        Operation operation = route.getOperation();
        Handler<RoutingContext> handler = operations.get(operation.getOperationId());
        if (handler == null) {
          throw new IllegalStateException("No handler bound for operation " + operation.getOperationId());
        }
        OperationPolicy policy = OperationPolicy.of(operation);
        route.setDoValidation(false); // validated below, by the compiled validators
        AuthenticationHandler authenticate = authentication.forOperation(operation.getOpenAPIPath(),
            operation.getHttpMethod().name());
        if (authenticate != null) {
          route.addHandler(authenticate);
        }
        Long bodyLimit = policy.bodyLimit();
        if (bodyLimit != null) {
          // The body waits, unread, while the permission is checked
          route.addHandler(ctx -> {
            ctx.request().pause();
            ctx.next();
          });
        }
        guards.forOperation(route.getOperation()).forEach(route::addHandler);
        if (bodyLimit != null) {
          // Read after authentication and the permission check: neither strangers nor signed-in
          // users without the permission can make the node buffer a large body (403 unread).
          // Wrapped, because Vert.x refuses a BodyHandler placed after authentication; it resumes
          // the paused request.
          BodyHandler large = BodyHandler.create(false).setBodyLimit(bodyLimit);
          route.addHandler(large::handle);
        }
        if (policy.validated()) {
          route.addHandler(ContractValidation.forOperation(validators.forOperation(operation.getOperationId())));
        }
        route.addHandler(handler);
      }
      Router router = builder.createRouter();
      modules.forEach(m -> m.mount(router));
      new LinkBase(publicUrl.orElse(null), trustProxy).attachTo(router);
      router.route().failureHandler(ProblemHandler::handle);
      // A path Vert.x cannot decode (a malformed %-escape) fails before any route matches, with
      // no failure of ours to map
      router.errorHandler(400, ctx -> ProblemHandler.send(ctx, ProblemHandler.byStatus(400, null)));
      router.errorHandler(404, ProblemHandler::handle);
      router.errorHandler(405, ProblemHandler::handle);
      router.errorHandler(500, ProblemHandler::handle);
      return router;
    });
  }

  private static boolean isMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
  }

  /** tus uploads (application/offset+octet-stream) are streamed by their handler. */
  private static boolean isStreamedUpload(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/offset+octet-stream");
  }

  private static boolean isWebSocketUpgrade(RoutingContext ctx) {
    return "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"));
  }

  private CorsHandler cors() {
    CorsHandler cors = CorsHandler.create()
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE,
            HttpMethod.OPTIONS, HttpMethod.HEAD))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Request-Id", "X-API-Key", "X-Refresh-Cookie",
            "Range", "If-None-Match", "Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata",
            "Upload-Checksum", "Upload-Defer-Length"))
        .exposedHeaders(Set.of("X-Request-Id", "Retry-After", "Content-Disposition", "Content-Range", "ETag",
            "Location", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm",
            "Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata"))
        .maxAgeSeconds(600);
    if (corsOrigins.contains("*")) {
      return cors.addOrigin("*");
    }
    return cors.addOrigins(corsOrigins).allowCredentials(true);
  }
}
