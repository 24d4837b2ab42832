package dev.atrium.users;

import dev.atrium.problem.Problem;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin user list's filters, search and ordering, turned into SQL from fixed fragments:
 * client text only ever travels as a bind parameter.
 */
public record UserQuery(String search, Boolean active, Boolean verified, Boolean staff, String role,
                        OffsetDateTime createdAfter, OffsetDateTime createdBefore, String ordering) {
  /**
   * The stored lower-case text of the four searchable fields (V20 migration): the trigram index
   * and the default ordering's covering index are both on this column.
   */
  static final String SEARCH_EXPR = "u.search_text";

  /** ?ordering= names → SQL expressions; the case-insensitive ones match their indexes. */
  static final Map<String, String> ORDERINGS = Map.of(
      "created_at", "u.created_at",
      "updated_at", "u.updated_at",
      "email", "lower(u.email)",
      "username", "lower(u.username)",
      "first_name", "lower(u.first_name)",
      "last_name", "lower(u.last_name)",
      "last_login", "u.last_login");

  public static final String DEFAULT_ORDERING = "-created_at";

  /** FROM and WHERE clauses and their parameters, numbered from $1. */
  record Where(String sql, List<Object> params) {
  }

  /**
   * A role filter in created_at order (the default) is read from the role's side: each grant
   * carries its holder's created_at (V21), so the role's grants come in page order from one
   * index and a page reads about as many users as it shows. From the users' side a page reads
   * users in order and probes each one's grants: ten times the rows for a role one user in ten
   * holds, nearly the whole table for a rare one. (user_id, role_id) is user_roles' key, so
   * each holder appears once.
   */
  boolean fromRole() {
    String spec = orderingSpec();
    return role != null && (spec.equals("-created_at") || spec.equals("created_at"));
  }

  /** ?ordering= as given, or the default. */
  private String orderingSpec() {
    return ordering == null || ordering.isBlank() ? DEFAULT_ORDERING : ordering.trim();
  }

  Where where() {
    return where(SearchRead.GATHER);
  }

  /**
   * A search alone, in created_at order, may be read in that order rather than gathered: see
   * {@link SearchRead}.
   */
  boolean walkable() {
    String spec = orderingSpec();
    return hasSearch() && role == null && createdAfter == null && createdBefore == null
        && (spec.equals("-created_at") || spec.equals("created_at"));
  }

  /** The search as compared: trimmed and in lower case, as search_text is stored. */
  String term() {
    return search.trim().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The statement's FROM and WHERE; a search is written as {@code read} says ({@link SearchRead}),
   * and only the caller's estimates choose a way other than GATHER.
   */
  Where where(SearchRead read) {
    List<Object> params = new ArrayList<>();
    boolean byRole = fromRole();
    boolean byPiece = read.way() == SearchRead.Way.PIECES;
    StringBuilder sql = new StringBuilder(byRole ? " FROM user_roles ur JOIN users u ON u.id = ur.user_id"
        : byPiece ? " FROM user_search_grams g JOIN users u ON u.id = g.user_id" : " FROM users u")
        .append(" WHERE true");
    if (hasSearch()) {
      String term = term();
      if (byPiece) {
        params.add(read.gram());
        sql.append(" AND g.gram = $").append(params.size());
      }
      boolean like = read.way() == SearchRead.Way.GATHER;
      params.add(like ? "%" + likeEscape(term) + "%" : term);
      sql.append(" AND ").append(like ? SEARCH_EXPR + " LIKE $" + params.size()
          : "strpos(" + SEARCH_EXPR + ", $" + params.size() + ") > 0");
    }
    // The flags are written into the statement (true or false, never client text). As
    // parameters, PostgreSQL's generic plan would assume half the rows match each one and cost
    // more than the custom plans, so every execution would be planned anew: for a role filter
    // planning cost more than reading the page. Written in, a statement has at most eight
    // variants per shape and its plan is kept.
    appendFlag(sql, "u.is_active", active);
    appendFlag(sql, "u.is_verified", verified);
    appendFlag(sql, "u.is_staff", staff);
    if (role != null) {
      params.add(role);
      // The role's id is looked up once per statement (names are unique): from the role's side
      // it is the index's first column; from the users' side each user read is one probe of
      // user_roles' primary key (user_id, role_id).
      String grant = "ur.role_id = (SELECT r.id FROM roles r WHERE r.name = $" + params.size() + ")"
          + " AND (ur.expires_at IS NULL OR ur.expires_at > now())";
      sql.append(byRole ? " AND " + grant
          : " AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND " + grant + ")");
    }
    // From the role's side the dates bound the index walk (the grant's copy of created_at).
    String created = byRole ? "ur.user_created_at" : "u.created_at";
    if (createdAfter != null) {
      params.add(createdAfter);
      sql.append(" AND ").append(created).append(" >= $").append(params.size());
    }
    if (createdBefore != null) {
      params.add(createdBefore);
      sql.append(" AND ").append(created).append(" < $").append(params.size());
    }
    return new Where(sql.toString(), params);
  }

  boolean hasSearch() {
    return search != null && !search.isBlank();
  }

  /** Only the three flags (or nothing) filter: the exact count is kept in user_counts. */
  boolean flagsOnly() {
    return (search == null || search.isBlank()) && role == null && createdAfter == null && createdBefore == null;
  }

  /** The user_counts rows matching the flag filters (written in, as in {@link #where}). */
  String countsWhere() {
    StringBuilder sql = new StringBuilder(" WHERE true");
    appendFlag(sql, "c.is_active", active);
    appendFlag(sql, "c.is_verified", verified);
    appendFlag(sql, "c.is_staff", staff);
    return sql.toString();
  }

  private static void appendFlag(StringBuilder sql, String column, Boolean value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(value ? " = true" : " = false");
    }
  }

  /** ORDER BY for {@code ordering} such as {@code -created_at} or {@code last_name,-created_at}; id breaks ties. */
  String orderBy() {
    return orderBy(SearchRead.GATHER);
  }

  /**
   * ORDER BY for a page read as {@code read} says: by a piece's holders, their copy of
   * created_at (the table's key order; PostgreSQL cannot know it equals the user's).
   */
  String orderBy(SearchRead read) {
    String spec = orderingSpec();
    if (fromRole() || read.way() == SearchRead.Way.PIECES) {
      String dir = spec.startsWith("-") ? " DESC" : " ASC";
      String side = fromRole() ? "ur" : "g";
      return " ORDER BY " + side + ".user_created_at" + dir + ", " + side + ".user_id" + dir;
    }
    StringBuilder sql = new StringBuilder(" ORDER BY ");
    boolean lastDesc = true;
    List<String> seen = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      boolean desc = p.startsWith("-");
      String name = desc ? p.substring(1) : p;
      String expr = ORDERINGS.get(name);
      if (expr == null) {
        throw Problem.field("validation_failed", "ordering",
            "Unknown ordering '" + p + "'; use one of " + String.join(", ", ORDERINGS.keySet().stream().sorted().toList())
                + ", optionally prefixed by '-'");
      }
      if (seen.contains(name)) {
        continue;
      }
      seen.add(name);
      // Never-logged-in users sort last when descending, first when ascending: one index serves both.
      String nulls = name.equals("last_login") ? (desc ? " NULLS LAST" : " NULLS FIRST") : "";
      sql.append(expr).append(desc ? " DESC" : " ASC").append(nulls).append(", ");
      lastDesc = desc;
    }
    return sql.append("u.id").append(lastDesc ? " DESC" : " ASC").toString();
  }

  static String likeEscape(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
