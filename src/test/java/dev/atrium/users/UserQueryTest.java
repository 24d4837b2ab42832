package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.problem.Problem;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UserQueryTest {
  private static UserQuery ordering(String o) {
    return new UserQuery(null, null, null, null, null, null, null, o);
  }

  @Test
  @DisplayName("ordering maps to indexed expressions with an id tie-break in the last key's direction")
  void orderBy() {
    assertEquals(" ORDER BY u.created_at DESC, u.id DESC", ordering(null).orderBy());
    assertEquals(" ORDER BY lower(u.last_name) ASC, u.created_at DESC, u.id DESC", ordering("last_name,-created_at").orderBy());
    assertEquals(" ORDER BY u.last_login ASC NULLS FIRST, u.id ASC", ordering("last_login").orderBy());
    UserQuery byRole = new UserQuery(null, null, null, null, "support", null, null, null);
    assertEquals(" ORDER BY ur.user_created_at DESC, ur.user_id DESC", byRole.orderBy());
    assertTrue(byRole.where().sql().startsWith(" FROM user_roles ur JOIN users u"), byRole.where().sql());
    UserQuery byRoleAndName = new UserQuery(null, null, null, null, "support", null, null, "last_name");
    assertEquals(" ORDER BY lower(u.last_name) ASC, u.id ASC", byRoleAndName.orderBy());
    assertTrue(byRoleAndName.where().sql().contains("EXISTS (SELECT 1 FROM user_roles ur"), byRoleAndName.where().sql());
    assertEquals("ordering", assertThrows(Problem.class, () -> ordering("password_hash").orderBy())
        .errors().getJsonObject(0).getString("field"));
  }

  @Test
  @DisplayName("client text travels only as parameters; LIKE wildcards in a search are escaped")
  void where() {
    UserQuery q = new UserQuery("50%_off", true, null, false, "support", null, null, null);
    UserQuery.Where w = q.where();
    assertEquals(List.of("%50\\%\\_off%", "support"), w.params());
    assertTrue(w.sql().contains("u.is_active = true AND u.is_staff = false"), w.sql());
    assertTrue(w.sql().contains(UserQuery.SEARCH_EXPR + " LIKE $1"), w.sql());
    assertTrue(!w.sql().contains("support") && !w.sql().contains("50"), w.sql());
  }
}
