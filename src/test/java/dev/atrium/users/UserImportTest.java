package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.problem.Problem;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UserImportTest {
  private static final String DJANGO = "pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=";

  @Test
  @DisplayName("CSV rows become users: Django hashes kept, booleans and Django dates read, unknown columns ignored")
  void csvRows() {
    String csv = "Email,username,password,is_staff,is_active,date_joined,groups\n"
        + "a@x.test,a," + DJANGO + ",True,0,2020-01-02 03:04:05+00:00,\"x,y\"\n"
        + "b@x.test,,,,,,\n";
    Problem staff = assertThrows(Problem.class, () -> UserImport.parse(Buffer.buffer(csv), "text/csv", false));
    assertEquals("/0/is_staff", staff.errors().getJsonObject(0).getString("field"), "only a superuser imports staff");
    List<UserImport.Row> rows = UserImport.parse(Buffer.buffer(csv), "text/csv; charset=utf-8", true);
    assertEquals(2, rows.size());
    UsersAdminRepository.ImportRow a = rows.get(0).user();
    assertEquals(DJANGO, a.passwordHash());
    assertTrue(a.staff());
    assertEquals(false, a.active());
    assertEquals("2020-01-02T03:04:05Z", a.createdAt().toInstant().toString());
    UsersAdminRepository.ImportRow b = rows.get(1).user();
    assertEquals("b@x.test", b.username(), "username defaults to the email");
    assertTrue(b.passwordHash().startsWith("!"), "no password: unusable");
    assertTrue(b.active());
    assertNull(rows.get(1).plainPassword());
  }

  @Test
  @DisplayName("every bad row and field is reported with a JSON pointer; duplicates inside the file too")
  void errorsListed() {
    String json = "[{\"email\":\"ok@x.test\"},{\"email\":\"bad\"},{\"email\":\"d@x.test\",\"is_superuser\":true},"
        + "{\"email\":\"c@x.test\",\"password\":\"sha1$a$b\"},42,{\"email\":\"OK@x.test\"}]";
    Problem p = assertThrows(Problem.class, () -> UserImport.parse(Buffer.buffer(json), "application/json", false));
    assertEquals(400, p.status());
    List<String> fields = p.errors().stream().map(o -> ((io.vertx.core.json.JsonObject) o).getString("field")).toList();
    assertEquals(List.of("/1/email", "/2/is_superuser", "/3/password", "/4", "/5/email", "/5/username"), fields);
  }

  @Test
  @DisplayName("malformed JSON, a member named twice, a non-array body and an empty import are refused")
  void badBodies() {
    assertEquals("malformed_json", assertThrows(Problem.class,
        () -> UserImport.parse(Buffer.buffer("[{"), "application/json", true)).code());
    assertEquals("malformed_json", assertThrows(Problem.class, () -> UserImport.parse(
        Buffer.buffer("[{\"email\":\"a@x.test\",\"is_staff\":false,\"is_staff\":true}]"), "application/json", true)).code());
    assertEquals(400, assertThrows(Problem.class,
        () -> UserImport.parse(Buffer.buffer("{}"), "application/json", true)).status());
    assertEquals(400, assertThrows(Problem.class,
        () -> UserImport.parse(Buffer.buffer("email\n"), "text/csv", true)).status());
  }
}
