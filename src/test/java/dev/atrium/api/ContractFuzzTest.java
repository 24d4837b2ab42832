package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every operation in openapi.yaml, called by a superuser (so permission checks let the input
 * through to validation and the handlers) with out-of-range, wrong-type and oversized values in
 * each parameter and each body field, and with malformed bodies: no answer may be a 5xx.
 */
class ContractFuzzTest {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
  private static final String BIG = "a".repeat(20_000);
  /** Long, but within the request line the node accepts (Netty's 4096-byte limit answers 414 beyond). */
  private static final String LONG = "a".repeat(3_000);
  private static final List<String> NUMBERS = List.of("-1", "0", "2147483648", "999999999999999999999999",
      "1e400", "1.5", "abc", "", "9".repeat(400), "-9223372036854775809");
  private static final List<String> TEXTS = List.of("", LONG, "%00", "%ff%fe", "' OR 1=1--", "../../etc/passwd",
      "2026-13-45T99:99:99Z", "99999-01-01T00:00:00Z", "not-a-uuid", "00000000-0000-0000-0000-000000000000");
  private static final List<Object> BODY_VALUES = List.of(-1, 2147483648L,
      new java.math.BigInteger("1" + "0".repeat(30)),
      1e308, -1e308, 1.5, true, "", BIG, "\u0000", "\ud800", new JsonArray().add(1), new JsonObject().put("x", 1));
  private static final List<String> WHOLE_BODIES = List.of("[]", "null", "\"x\"", "42", "{", "{\"a\":",
      "[".repeat(5000) + "]".repeat(5000), "{\"a\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3001));

  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_LOGIN_MAX_FAILURES", "1000"));

  private final AtomicReference<String> adminToken = new AtomicReference<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sent = new AtomicInteger();
  private JsonObject contract;
  private String someUserId;

  @Test
  @DisplayName("no operation of the contract answers 5xx to out-of-range, wrong-type or oversized parameters "
      + "and body fields, or to malformed bodies")
  void noServerErrors() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      contract = vertx.fileSystem().readFile("openapi.yaml").map(b -> ContractLoader.parse(b.toString()))
          .await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close();
    }
    adminToken.set(Accounts.admin(server).access());
    someUserId = Accounts.registerAndLogin(server, "fuzzed").userId();

    List<Runnable> requests = new ArrayList<>();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method)) {
          plan(requests, method.toUpperCase(), path, item, item.getJsonObject(method));
        }
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    requests.forEach(pool::submit);
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.MINUTES), "the fuzzer finished");
    assertTrue(sent.get() > 1000, "only " + sent.get() + " requests were sent");
    assertTrue(failures.isEmpty(), failures.size() + " of " + sent.get() + " requests got a 5xx:\n"
        + String.join("\n", failures.stream().limit(30).toList()));
  }

  @Test
  @DisplayName("an out-of-range or unparsable page is 400 validation_failed naming the parameter")
  void pageBounds() {
    Http admin = Accounts.admin(server).http(server);
    for (String page : List.of("999999999999999999999999", "1000001", "0", "abc", "1.5")) {
      Http.Res res = admin.get("/api/users?page=" + page);
      assertEquals(400, res.status(), page + ": " + res);
      assertEquals("validation_failed", res.code(), res::toString);
      assertEquals("page", res.json().getJsonArray("errors").getJsonObject(0).getString("field"), res::toString);
    }
    assertEquals(200, admin.get("/api/users?page=1000000").status());
  }

  private void plan(List<Runnable> requests, String method, String path, JsonObject item, JsonObject op) {
    List<JsonObject> params = new ArrayList<>();
    item.getJsonArray("parameters", new JsonArray()).forEach(p -> params.add(resolve((JsonObject) p)));
    op.getJsonArray("parameters", new JsonArray()).forEach(p -> params.add(resolve((JsonObject) p)));
    Map<String, String> pathValues = new LinkedHashMap<>();
    params.stream().filter(p -> "path".equals(p.getString("in")))
        .forEach(p -> pathValues.put(p.getString("name"), plausible(p)));
    JsonObject bodySchema = jsonBodySchema(op);
    JsonObject baseBody = bodySchema == null ? null : example(bodySchema, 0);

    for (JsonObject p : params) {
      String in = p.getString("in");
      String name = p.getString("name");
      for (String bad : valuesFor(p)) {
        Map<String, String> pv = new LinkedHashMap<>(pathValues);
        String query = "";
        List<String> headers = new ArrayList<>();
        switch (in) {
          case "path" -> pv.put(name, bad);
          case "query" -> query = "?" + name + "=" + encode(bad);
          case "header" -> headers.addAll(List.of(name, bad.isEmpty() || bad.length() > 4000 ? "x" : bad));
          default -> headers.addAll(List.of("Cookie", name + "=" + (bad.length() > 4000 ? "x" : encode(bad))));
        }
        String url = fill(path, pv) + query;
        requests.add(() -> call(method, url, headers, baseBody == null ? null : baseBody.encode()));
      }
    }
    String url = fill(path, pathValues);
    if (bodySchema != null) {
      JsonObject properties = resolve(bodySchema).getJsonObject("properties", new JsonObject());
      for (String field : properties.fieldNames()) {
        for (Object bad : BODY_VALUES) {
          JsonObject body = baseBody.copy().put(field, bad);
          requests.add(() -> call(method, url, List.of(), body.encode()));
        }
      }
    }
    if (!method.equals("GET") && !method.equals("DELETE")) {
      for (String body : WHOLE_BODIES) {
        requests.add(() -> call(method, url, List.of(), body));
      }
    }
  }

  private void call(String method, String url, List<String> headers, String body) {
    Http http = server.http().bearer(adminToken.get());
    for (int i = 0; i < headers.size(); i += 2) {
      http = http.with(headers.get(i), headers.get(i + 1));
    }
    Http.Res res;
    try {
      res = http.send(method, url, body, body == null ? null : "application/json");
    } catch (IllegalStateException e) {
      failures.add(abbreviate(method + " " + url + " -> no answer: " + e.getMessage()));
      return;
    }
    sent.incrementAndGet();
    if (res.status() >= 500) {
      failures.add(abbreviate(method + " " + abbreviate(url) + " body " + abbreviate(String.valueOf(body)) + " -> "
          + res.status() + " " + res.body()));
    }
    if (res.status() == 401 && res.body().contains("token_revoked")) {
      adminToken.set(Accounts.admin(server).access()); // the fuzzer signed itself out (logout-all)
    }
  }

  private List<String> valuesFor(JsonObject param) {
    JsonObject schema = resolve(param.getJsonObject("schema", new JsonObject()));
    String type = schema.getString("type", "string");
    List<String> values = new ArrayList<>(type.equals("integer") || type.equals("number") ? NUMBERS : TEXTS);
    if (!type.equals("integer") && !type.equals("number")) {
      values.addAll(List.of("-1", "999999999999999999999999"));
    } else {
      values.add(LONG);
    }
    if ("path".equals(param.getString("in"))) {
      values.removeIf(String::isEmpty);
      values.add(someUserId);
    }
    return values;
  }

  private String plausible(JsonObject param) {
    JsonObject schema = resolve(param.getJsonObject("schema", new JsonObject()));
    if ("uuid".equals(schema.getString("format")) || param.getString("name").endsWith("id")) {
      return someUserId;
    }
    return schema.getString("type", "string").equals("integer") ? "1" : "x";
  }

  private JsonObject jsonBodySchema(JsonObject op) {
    JsonObject body = op.getJsonObject("requestBody");
    if (body == null) {
      return null;
    }
    JsonObject content = resolve(body).getJsonObject("content", new JsonObject());
    JsonObject json = content.getJsonObject("application/json");
    return json == null || json.getJsonObject("schema") == null ? null : resolve(json.getJsonObject("schema"));
  }

  /** A value of the schema's shape (its example or default when it has one). */
  private Object exampleValue(JsonObject schema, int depth) {
    JsonObject s = resolve(schema);
    if (s.containsKey("example")) {
      return s.getValue("example");
    }
    if (s.containsKey("default")) {
      return s.getValue("default");
    }
    if (s.containsKey("enum")) {
      return s.getJsonArray("enum").getValue(0);
    }
    String type = s.getString("type", s.containsKey("properties") ? "object" : "string");
    return switch (type) {
      case "object" -> example(s, depth + 1);
      case "array" -> new JsonArray();
      case "integer", "number" -> s.getValue("minimum", 1);
      case "boolean" -> false;
      default -> "email".equals(s.getString("format")) ? "fuzz@example.com"
          : "date-time".equals(s.getString("format")) ? "2026-01-01T00:00:00Z" : "x";
    };
  }

  private JsonObject example(JsonObject schema, int depth) {
    JsonObject s = resolve(schema);
    JsonObject out = new JsonObject();
    if (depth > 4) {
      return out;
    }
    JsonObject properties = s.getJsonObject("properties", new JsonObject());
    for (Object name : s.getJsonArray("required", new JsonArray())) {
      JsonObject property = properties.getJsonObject((String) name);
      out.put((String) name, property == null ? "x" : exampleValue(property, depth));
    }
    return out;
  }

  /** Follows a local $ref ("#/components/..."), and the first branch of oneOf/anyOf/allOf. */
  private JsonObject resolve(JsonObject node) {
    JsonObject current = node;
    for (int i = 0; i < 10 && current != null; i++) {
      if (current.containsKey("$ref")) {
        Object target = contract;
        for (String part : current.getString("$ref").substring(2).split("/")) {
          target = ((JsonObject) target).getValue(part);
        }
        current = (JsonObject) target;
      } else if (current.containsKey("allOf") || current.containsKey("oneOf") || current.containsKey("anyOf")) {
        String key = current.containsKey("allOf") ? "allOf" : current.containsKey("oneOf") ? "oneOf" : "anyOf";
        current = current.getJsonArray(key).getJsonObject(0);
      } else {
        return current;
      }
    }
    return current == null ? new JsonObject() : current;
  }

  private static String fill(String path, Map<String, String> values) {
    String out = path;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace("{" + e.getKey() + "}", encode(e.getValue()));
    }
    return out;
  }

  private static String encode(String value) {
    if (value.startsWith("%") && value.length() <= 6) {
      return value; // already percent-encoded on purpose (a NUL, invalid UTF-8)
    }
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String abbreviate(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "…" : s;
  }
}
