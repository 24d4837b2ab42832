package dev.atrium.api;

import dev.atrium.problem.Problem;
import dev.atrium.db.DependencyUnavailable;
import io.vertx.core.Future;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.handler.impl.APIKeyHandlerImpl;
import io.vertx.ext.web.handler.impl.JWTAuthHandlerImpl;

/**
 * The handlers of the contract's security schemes, with two corrections to Vert.x's own:
 * <ul>
 *   <li>any credential that is not a usable bearer token ({@code Basic …}, {@code Token …}, a
 *   bare {@code Bearer}, a token with stray characters) is 401 with {@code WWW-Authenticate:
 *   Bearer} (RFC 6750), where Vert.x answers some of them 400;</li>
 *   <li>a failure to load the caller's access state because PostgreSQL or Redis is down ends
 *   the chain as 503 {@code dependency_unavailable}. Vert.x wraps every provider failure in a
 *   401 and moves on to the next scheme, which would sign clients out during an outage.</li>
 * </ul>
 */
final class CredentialHandlers {
  private CredentialHandlers() {
  }

  static JWTAuthHandler bearer(JWTAuth provider) {
    return new JWTAuthHandlerImpl(provider, null) {
      @Override
      public Future<User> authenticate(RoutingContext ctx) {
        return super.authenticate(ctx).recover(CredentialHandlers::classify);
      }
    };
  }

  static APIKeyHandler apiKey(AuthenticationProvider provider) {
    return new APIKeyHandlerImpl(provider) {
      @Override
      public Future<User> authenticate(RoutingContext ctx) {
        return super.authenticate(ctx).recover(CredentialHandlers::classify);
      }
    };
  }

  /**
   * Outages leave the chain as themselves (not an HttpException, so no other scheme is tried);
   * a malformed credential becomes a plain 401, so the next scheme is tried and the answer is
   * 401 when none fits.
   */
  private static Future<User> classify(Throwable failure) {
    Throwable cause = failure instanceof HttpException he && he.getCause() != null ? he.getCause() : failure;
    if (cause instanceof Problem p && p.status() == 503) {
      return Future.failedFuture(p);
    }
    DependencyUnavailable outage = DependencyUnavailable.find(cause);
    if (outage != null) {
      return Future.failedFuture(outage);
    }
    if (failure instanceof HttpException he && he.getStatusCode() == 400) {
      return Future.failedFuture(new HttpException(401, he.getPayload(), he.getCause()));
    }
    return Future.failedFuture(failure);
  }
}
