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

  /** WHERE clause and its parameters, numbered from $1. */
  record Where(String sql, List<Object> params) {
  }

  Where where() {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder(" WHERE true");
    if (search != null && !search.isBlank()) {
      params.add("%" + likeEscape(search.trim().toLowerCase(java.util.Locale.ROOT)) + "%");
      sql.append(" AND ").append(SEARCH_EXPR).append(" LIKE $").append(params.size());
    }
    if (active != null) {
      params.add(active);
      sql.append(" AND u.is_active = $").append(params.size());
    }
    if (verified != null) {
      params.add(verified);
      sql.append(" AND u.is_verified = $").append(params.size());
    }
    if (staff != null) {
      params.add(staff);
      sql.append(" AND u.is_staff = $").append(params.size());
    }
    if (role != null) {
      params.add(role);
      // The role's id is looked up once per statement (names are unique), so each user read is
      // one probe of user_roles' primary key (user_id, role_id).
      sql.append(" AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id")
          .append(" AND ur.role_id = (SELECT r.id FROM roles r WHERE r.name = $").append(params.size()).append(")")
          .append(" AND (ur.expires_at IS NULL OR ur.expires_at > now()))");
    }
    if (createdAfter != null) {
      params.add(createdAfter);
      sql.append(" AND u.created_at >= $").append(params.size());
    }
    if (createdBefore != null) {
      params.add(createdBefore);
      sql.append(" AND u.created_at < $").append(params.size());
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

  /** The user_counts rows matching the flag filters, parameters numbered from {@code $first}. */
  Where countsWhere(int first) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder(" WHERE true");
    String[] names = {"is_active", "is_verified", "is_staff"};
    Boolean[] values = {active, verified, staff};
    for (int i = 0; i < names.length; i++) {
      if (values[i] != null) {
        params.add(values[i]);
        sql.append(" AND c.").append(names[i]).append(" = $").append(first + params.size() - 1);
      }
    }
    return new Where(sql.toString(), params);
  }

  /** ORDER BY for {@code ordering} such as {@code -created_at} or {@code last_name,-created_at}; id breaks ties. */
  String orderBy() {
    String spec = ordering == null || ordering.isBlank() ? DEFAULT_ORDERING : ordering;
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
