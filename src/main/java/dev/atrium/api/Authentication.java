package dev.atrium.api;

import dev.atrium.db.DependencyUnavailable;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Authenticates an operation by the {@code security} its contract entry names (or the
 * contract's default): the requirements are tried in order, the first that authenticates wins,
 * and an empty requirement ({@code {}}) lets an anonymous caller through. Built on the public
 * {@link SimpleAuthenticationHandler}; the router builder's own security chain is not used
 * (see {@link ContractLoader}), so there are no Vert.x internals to subclass. Three rules that
 * Vert.x's stock handlers do not keep:
 * <ul>
 *   <li>any credential that is not a usable bearer token ({@code Basic …}, {@code Token …}, a
 *   bare {@code Bearer}, a token with stray characters) is 401 with {@code WWW-Authenticate:
 *   Bearer} (RFC 6750, written by {@link ProblemHandler}), never 400;</li>
 *   <li>an outage while loading the caller's access state (PostgreSQL or Redis down) ends the
 *   check as 503 {@code dependency_unavailable}: no other scheme is tried, and the client is
 *   not told its credential is bad, which would sign it out;</li>
 *   <li>a credential header given twice is 400 {@code ambiguous_credentials}: a proxy in front
 *   may read the other copy.</li>
 * </ul>
 */
final class Authentication {
  private final JsonObject contract;
  private final Map<String, Function<RoutingContext, Future<User>>> schemes;

  /** {@code providers}: the authenticator of each security scheme, by its name in the contract. */
  Authentication(JsonObject contract, Map<String, AuthenticationProvider> providers) {
    this.contract = contract;
    JsonObject declared = contract.getJsonObject("components", new JsonObject())
        .getJsonObject("securitySchemes", new JsonObject());
    this.schemes = new HashMap<>();
    providers.forEach((name, provider) -> schemes.put(name, scheme(name, declared.getJsonObject(name), provider)));
  }

  /** The handler for one operation, or null when its contract entry needs no authentication. */
  AuthenticationHandler forOperation(String path, String method) {
    JsonObject entry = contract.getJsonObject("paths").getJsonObject(path).getJsonObject(method.toLowerCase(Locale.ROOT));
    JsonArray security = entry.getJsonArray("security", contract.getJsonArray("security", new JsonArray()));
    List<Function<RoutingContext, Future<User>>> tried = new ArrayList<>();
    boolean anonymous = false;
    for (Object requirement : security) {
      JsonObject names = (JsonObject) requirement;
      if (names.isEmpty()) {
        anonymous = true;
      } else if (names.size() == 1 && schemes.containsKey(names.fieldNames().iterator().next())) {
        tried.add(schemes.get(names.fieldNames().iterator().next()));
      } else {
        throw new IllegalStateException("Unsupported security requirement " + names + " on " + method + " " + path);
      }
    }
    if (tried.isEmpty()) {
      return null;
    }
    boolean allowAnonymous = anonymous;
    return SimpleAuthenticationHandler.create().authenticate(ctx -> first(tried, 0, ctx, null, allowAnonymous));
  }

  private static Future<User> first(List<Function<RoutingContext, Future<User>>> tried, int index, RoutingContext ctx,
                                    HttpException refused, boolean anonymous) {
    if (index == tried.size()) {
      return anonymous ? Future.succeededFuture() : Future.failedFuture(refused);
    }
    return tried.get(index).apply(ctx).recover(failure -> {
      if (failure instanceof HttpException he && he.getStatusCode() == 401) {
        // The answer names the last credential that was refused (token_revoked…), not a scheme
        // whose credential was simply absent; the contract lists bearer last.
        boolean presented = he.getCause() != null || refused == null;
        return first(tried, index + 1, ctx, presented ? he : refused, anonymous);
      }
      return Future.failedFuture(failure);
    });
  }

  private static Function<RoutingContext, Future<User>> scheme(String name, JsonObject declared,
                                                               AuthenticationProvider provider) {
    if (declared == null) {
      throw new IllegalStateException("No security scheme '" + name + "' in the contract");
    }
    if ("http".equals(declared.getString("type")) && "bearer".equalsIgnoreCase(declared.getString("scheme"))) {
      return ctx -> {
        if (repeated(ctx, "Authorization")) {
          return ambiguous("Authorization");
        }
        String token = bearerToken(ctx.request().getHeader("Authorization"));
        return token == null ? Future.failedFuture(new HttpException(401)) : check(provider, token);
      };
    }
    if ("apiKey".equals(declared.getString("type")) && "header".equals(declared.getString("in"))) {
      String header = declared.getString("name");
      return ctx -> {
        if (repeated(ctx, header)) {
          return ambiguous(header);
        }
        String key = ctx.request().getHeader(header);
        return key == null ? Future.failedFuture(new HttpException(401)) : check(provider, key);
      };
    }
    throw new IllegalStateException("Unsupported security scheme '" + name + "': " + declared.encode());
  }

  private static boolean repeated(RoutingContext ctx, String header) {
    return ctx.request().headers().getAll(header).size() > 1;
  }

  /**
   * A credential header given twice: this node would read the first, while a proxy or another
   * service in front of it may act on the last. Refused outright (no other scheme is tried), so
   * no two readers of one request disagree on who sent it.
   */
  private static Future<User> ambiguous(String header) {
    return Future.failedFuture(new HttpException(400, Problem.of(400, "ambiguous_credentials",
        "The " + header + " header is given more than once")));
  }

  /** The token of {@code Bearer <token>}, or null when the header is anything else. */
  static String bearerToken(String authorization) {
    if (authorization == null) {
      return null;
    }
    int space = authorization.indexOf(' ');
    if (space <= 0 || !"Bearer".equalsIgnoreCase(authorization.substring(0, space))) {
      return null;
    }
    String token = authorization.substring(space + 1);
    // A JWT (three base64url parts) or an API key: anything else cannot be one
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.' ? ++dots > 2 : !(Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
        return null;
      }
    }
    return token.isEmpty() ? null : token;
  }

  /**
   * A refused credential is 401 carrying the authenticator's problem ({@code token_revoked}…),
   * so the next scheme is tried; an outage is 503 and ends the check.
   */
  private static Future<User> check(AuthenticationProvider provider, String token) {
    return provider.authenticate(new TokenCredentials(token)).recover(failure -> {
      if (failure instanceof Problem p && p.status() == 503) {
        return Future.failedFuture(new HttpException(503, p));
      }
      DependencyUnavailable outage = DependencyUnavailable.find(failure);
      if (outage != null) {
        return Future.failedFuture(new HttpException(503, outage));
      }
      return Future.failedFuture(new HttpException(401, failure));
    });
  }
}
