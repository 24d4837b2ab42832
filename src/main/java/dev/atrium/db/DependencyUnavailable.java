package dev.atrium.db;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * PostgreSQL or Redis could not be reached, answered too late, or dropped the connection: an
 * outage, which the edge answers with 503 {@code dependency_unavailable} and Retry-After, never
 * with a 500 or a 401. {@link #isOutage} recognises the transport failures that the clients
 * raise themselves, so repositories need not wrap every query.
 */
public final class DependencyUnavailable extends RuntimeException {
  private final String dependency;

  public DependencyUnavailable(String dependency, Throwable cause) {
    super(dependency + " unavailable: " + (cause == null ? "" : cause.getMessage()), cause, false, false);
    this.dependency = dependency;
  }

  /** "PostgreSQL" or "Redis". */
  public String dependency() {
    return dependency;
  }

  /** The outage somewhere in this failure's cause chain, if there is one. */
  public static DependencyUnavailable find(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t instanceof DependencyUnavailable du) {
        return du;
      }
      if (isTransportFailure(t)) {
        return new DependencyUnavailable(t instanceof PgException ? "PostgreSQL" : "a dependency", t);
      }
    }
    return null;
  }

  public static boolean isOutage(Throwable failure) {
    return find(failure) != null;
  }

  private static boolean isTransportFailure(Throwable t) {
    if (t instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      // 08: connection exception; 57P01-03: shutting down or starting up; 53300: too many connections
      return state.startsWith("08") || state.startsWith("57P0") || state.equals("53300");
    }
    // refused, reset or timed-out connects (java.net.ConnectException and Netty's subclasses),
    // a connection closed under a query, no pooled connection within the wait limit
    return t instanceof IOException || t instanceof ClosedConnectionException
        || t instanceof TimeoutException || t instanceof ConnectionPoolTooBusyException;
  }
}
