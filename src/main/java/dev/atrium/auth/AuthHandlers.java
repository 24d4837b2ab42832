package dev.atrium.auth;

import dev.atrium.access.Caller;
import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import dev.atrium.problem.Problem;
import dev.atrium.keys.TokenKeys;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;

/**
 * Binds the contract's {@code auth} operations to {@link AuthService}. With cookie mode
 * ({@code ?cookie=true} or {@code X-Refresh-Cookie: true}) the refresh token travels only in an
 * HttpOnly cookie scoped to /api/auth, never in a JSON body that scripts could read.
 */
public final class AuthHandlers {
  public static final String REFRESH_COOKIE = "atrium_refresh";
  private static final String COOKIE_PATH = "/api/auth";

  private final AuthService auth;
  private final AccountService accounts;
  private final TokenKeys keys;
  private final Duration refreshTtl;

  public AuthHandlers(AuthService auth, AccountService accounts, TokenKeys keys, Duration refreshTtl) {
    this.auth = auth;
    this.accounts = accounts;
    this.keys = keys;
    this.refreshTtl = refreshTtl;
  }

  /** operationId → handler. */
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.ofEntries(
        Map.entry("register", this::register),
        Map.entry("login", this::login),
        Map.entry("loginMfa", this::loginMfa),
        Map.entry("refreshToken", this::refresh),
        Map.entry("logout", this::logout),
        Map.entry("logoutAll", this::logoutAll),
        Map.entry("verifyToken", this::verifyToken),
        Map.entry("getMe", this::getMe),
        Map.entry("updateMe", this::updateMe),
        Map.entry("changePassword", this::changePassword),
        Map.entry("listSessions", this::listSessions),
        Map.entry("revokeSession", this::revokeSession),
        Map.entry("jwks", this::jwks));
  }

  private void register(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    auth.register(new AuthService.Registration(b.getString("email"), b.getString("username"), b.getString("password"),
            b.getString("password_confirm"), b.getString("first_name"), b.getString("last_name"),
            ctx.request().getHeader("Accept-Language")), Caller.anonymous(ctx))
        .onSuccess(user -> Inputs.json(ctx, 201, new JsonObject()
            .put("message", "Registration successful")
            .put("user_id", user.id().toString())
            .put("user", user.toJson())))
        .onFailure(ctx::fail);
  }

  private void login(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    boolean cookieMode = cookieMode(ctx);
    auth.login(b.getString("email"), b.getString("password"), Caller.anonymous(ctx))
        .onSuccess(t -> Inputs.json(ctx, 200, tokenBody(ctx, t, cookieMode).put("user", t.user().toJson())))
        .onFailure(ctx::fail);
  }

  private void loginMfa(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    boolean cookieMode = cookieMode(ctx);
    auth.loginMfa(b.getString("mfa_token"), b.getString("code"), b.getString("recovery_code"), Caller.anonymous(ctx))
        .onSuccess(t -> Inputs.json(ctx, 200, tokenBody(ctx, t, cookieMode).put("user", t.user().toJson())))
        .onFailure(ctx::fail);
  }

  private void refresh(RoutingContext ctx) {
    String presented = presentedRefresh(ctx);
    if (presented == null) {
      ctx.fail(Problem.field("validation_failed", "/refresh", "A refresh token is required (body or cookie)"));
      return;
    }
    boolean cookieMode = cookieMode(ctx) || Inputs.body(ctx).getString("refresh") == null;
    auth.refresh(presented, Caller.anonymous(ctx))
        .onSuccess(t -> Inputs.json(ctx, 200, tokenBody(ctx, t, cookieMode)))
        .onFailure(ctx::fail);
  }

  private void logout(RoutingContext ctx) {
    auth.logout(Caller.of(ctx), presentedRefresh(ctx))
        .onSuccess(v -> {
          clearCookie(ctx);
          Inputs.noContent(ctx);
        })
        .onFailure(ctx::fail);
  }

  private void logoutAll(RoutingContext ctx) {
    auth.logoutAll(Caller.of(ctx))
        .onSuccess(v -> {
          clearCookie(ctx);
          Inputs.noContent(ctx);
        })
        .onFailure(ctx::fail);
  }

  private void verifyToken(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    // An API key answers with what it may actually use: its scopes within the owner's permissions.
    accounts.me(caller.userId())
        .onSuccess(me -> Inputs.json(ctx, 200, new JsonObject()
            .put("valid", true)
            .put("user", withoutAccess(me))
            .put("permissions", new JsonArray(me.getJsonArray("permissions").stream()
                .filter(p -> caller.may(String.valueOf(p))).toList()))
            .put("roles", me.getJsonArray("roles"))
            .put("exp", caller.expiresAt())))
        .onFailure(ctx::fail);
  }

  private void getMe(RoutingContext ctx) {
    accounts.me(Caller.of(ctx).userId())
        .onSuccess(me -> Inputs.json(ctx, 200, me))
        .onFailure(ctx::fail);
  }

  private void updateMe(RoutingContext ctx) {
    accounts.update(Caller.of(ctx).userId(), Inputs.body(ctx))
        .onSuccess(me -> Inputs.json(ctx, 200, me))
        .onFailure(ctx::fail);
  }

  private void changePassword(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    auth.changePassword(Caller.of(ctx), b.getString("current_password"), b.getString("new_password"))
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void listSessions(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    auth.sessions(caller)
        .onSuccess(list -> Inputs.json(ctx, 200, PageRequest.unpaged(list, s -> s.toJson(caller.sessionId()))))
        .onFailure(ctx::fail);
  }

  private void revokeSession(RoutingContext ctx) {
    auth.revokeSession(Caller.of(ctx), Inputs.path(ctx, "id"))
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void jwks(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "public, max-age=300");
    Inputs.json(ctx, 200, keys.jwks());
  }

  private static JsonObject withoutAccess(JsonObject me) {
    JsonObject user = me.copy();
    user.remove("permissions");
    user.remove("roles");
    return user;
  }

  private JsonObject tokenBody(RoutingContext ctx, AuthService.Tokens t, boolean cookieMode) {
    JsonObject body = new JsonObject().put("access", t.access()).put("token_type", "Bearer")
        .put("expires_in", t.expiresIn());
    if (cookieMode) {
      ctx.response().addCookie(Cookie.cookie(REFRESH_COOKIE, t.refresh()).setHttpOnly(true).setSecure(true)
          .setSameSite(CookieSameSite.STRICT).setPath(COOKIE_PATH).setMaxAge(refreshTtl.toSeconds()));
    } else {
      body.put("refresh", t.refresh());
    }
    return body;
  }

  private static void clearCookie(RoutingContext ctx) {
    if (ctx.request().getCookie(REFRESH_COOKIE) != null) {
      ctx.response().addCookie(Cookie.cookie(REFRESH_COOKIE, "").setHttpOnly(true).setSecure(true)
          .setSameSite(CookieSameSite.STRICT).setPath(COOKIE_PATH).setMaxAge(0));
    }
  }

  private static boolean cookieMode(RoutingContext ctx) {
    return "true".equalsIgnoreCase(ctx.request().getParam("cookie"))
        || "true".equalsIgnoreCase(ctx.request().getHeader("X-Refresh-Cookie"));
  }

  private static String presentedRefresh(RoutingContext ctx) {
    String fromBody = Inputs.body(ctx).getString("refresh");
    if (fromBody != null) {
      return fromBody;
    }
    Cookie cookie = ctx.request().getCookie(REFRESH_COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }
}
