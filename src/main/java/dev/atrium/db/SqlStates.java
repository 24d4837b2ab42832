package dev.atrium.db;

import io.vertx.pgclient.PgException;

/** PostgreSQL error classes that domain code turns into answers; matched by SQLSTATE, never by text. */
public final class SqlStates {
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String FOREIGN_KEY_VIOLATION = "23503";

  private SqlStates() {
  }

  public static boolean isUniqueViolation(Throwable t, String constraint) {
    return t instanceof PgException pg
        && UNIQUE_VIOLATION.equals(pg.getSqlState())
        && (constraint == null || constraint.equals(pg.getConstraint()));
  }
}
