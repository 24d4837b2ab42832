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
    return where(false);
  }

  /**
   * A search alone, in created_at order, may be read by walking users_created_idx: see
   * {@link #where(boolean)}.
   */
  boolean walkable() {
    String spec = orderingSpec();
    return hasSearch() && role == null && createdAfter == null && createdBefore == null
        && (spec.equals("-created_at") || spec.equals("created_at"));
  }

  /**
   * {@code walk}: the search as {@code strpos}, which no index serves, so PostgreSQL can only
   * walk the ordering's index, and plans the statement once for every term (its estimate does
   * not depend on the term). The caller chooses it only where the statistics say the page is
   * found within a few thousand rows; otherwise the LIKE form lets the planner gather the
   * matches through the trigram index, planned for each term.
   */
  Where where(boolean walk) {
    List<Object> params = new ArrayList<>();
    boolean byRole = fromRole();
    StringBuilder sql = new StringBuilder(byRole ? " FROM user_roles ur JOIN users u ON u.id = ur.user_id"
        : " FROM users u").append(" WHERE true");
    if (hasSearch()) {
      String term = search.trim().toLowerCase(java.util.Locale.ROOT);
      params.add(walk ? term : "%" + likeEscape(term) + "%");
      sql.append(" AND ").append(walk ? "strpos(" + SEARCH_EXPR + ", $" + params.size() + ") > 0"
          : SEARCH_EXPR + " LIKE $" + params.size());
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
    String spec = orderingSpec();
    if (fromRole()) {
      String dir = spec.startsWith("-") ? " DESC" : " ASC";
      return " ORDER BY ur.user_created_at" + dir + ", ur.user_id" + dir;
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
