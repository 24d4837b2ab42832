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
    assertEquals("ordering", assertThrows(Problem.class, () -> ordering("password_hash").orderBy())
        .errors().getJsonObject(0).getString("field"));
  }

  @Test
  @DisplayName("client text travels only as parameters; LIKE wildcards in a search are escaped")
  void where() {
    UserQuery q = new UserQuery("50%_off", true, null, false, "support", null, null, null);
    UserQuery.Where w = q.where();
    assertEquals(List.of("%50\\%\\_off%", true, false, "support"), w.params());
    assertTrue(w.sql().contains(UserQuery.SEARCH_EXPR + " LIKE $1"), w.sql());
    assertTrue(!w.sql().contains("support") && !w.sql().contains("50"), w.sql());
  }
}
