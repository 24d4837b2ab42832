package dev.atrium.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The response check that every integration test runs: it must catch what generated clients trip on. */
class ContractCheckTest {
  private static final ContractCheck CHECK = ContractCheck.get();
  private static final String JSON = "application/json";
  private static final String PROBLEM = "application/problem+json";
  private static final String SESSION = "{\"id\":\"0b9d5f0e-3c1a-4f4e-9a55-1d2f3e4a5b6c\",\"created_at\":\"%s\","
      + "\"last_used_at\":\"2030-01-01T00:00:00.123456Z\",\"expires_at\":\"2030-01-08T00:00:00Z\",\"ip\":null,"
      + "\"user_agent\":null,\"current\":true%s}";

  private static List<String> sessions(String createdAt, String extra) {
    String body = "{\"count\":1,\"results\":[" + SESSION.formatted(createdAt, extra) + "]}";
    return CHECK.problems("GET", "/api/auth/sessions", 200, JSON, body);
  }

  @Test
  @DisplayName("a declared answer passes; an undeclared property, a time without seconds or a wrong type does not")
  void bodies() {
    assertEquals(List.of(), sessions("2030-01-01T00:00:00Z", ""));
    assertTrue(sessions("2030-01-01T00:00Z", "").contains(
        "/results/0/created_at: '2030-01-01T00:00Z' is not an RFC 3339 date-time with seconds"));
    assertEquals(List.of("/results/0/device: property not declared by the contract"), sessions("2030-01-01T00:00:00Z",
        ",\"device\":\"phone\""));
    List<String> wrongType = CHECK.problems("GET", "/api/notifications/unread-count", 200, JSON, "{\"count\":\"3\"}");
    assertEquals(1, wrongType.size(), wrongType::toString);
    // allOf (Me = User + profile, roles, permissions) and additionalProperties: true (preferences)
    assertEquals(List.of(), CHECK.problems("GET", "/api/auth/me/", 200, JSON, "{\"id\":\"0b9d5f0e-3c1a-4f4e-9a55-1d2f3e4a5b6c\","
        + "\"roles\":[],\"permissions\":[],\"profile\":{\"social_links\":{},\"preferences\":{\"any\":{\"thing\":1}}}}"));
  }

  @Test
  @DisplayName("statuses, content types and bodies are checked against what the operation declares")
  void statusesAndTypes() {
    String problem = "{\"type\":\"t\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"d\",\"code\":\"route_not_found\"}";
    assertEquals(List.of(), CHECK.problems("GET", "/api/no-such-route", 404, PROBLEM, problem));
    assertEquals(List.of(), CHECK.problems("DELETE", "/health/live", 405, PROBLEM, problem));
    assertEquals(List.of("status 202 is not declared for getMe"), CHECK.problems("GET", "/api/auth/me", 202, JSON, "{}"));
    assertTrue(CHECK.problems("GET", "/api/auth/me", 401, JSON, problem).get(0).startsWith("Content-Type application/json"));
    assertEquals(List.of("a HEAD response has a body"), CHECK.problems("HEAD", "/health/live", 200, JSON, "{}"));
    assertEquals(List.of(), CHECK.problems("HEAD", "/health/live", 200, JSON, ""));
    // downloads are any type; literal segments win over parameters
    assertEquals(List.of(), CHECK.problems("GET", "/api/files/download/0b9d5f0e-3c1a-4f4e-9a55-1d2f3e4a5b6c", 206,
        "image/png", "\u0089PNG"));
    assertEquals(List.of(), CHECK.problems("GET", "/console/users", 200, "text/html", "<!doctype html>"));
  }
}
