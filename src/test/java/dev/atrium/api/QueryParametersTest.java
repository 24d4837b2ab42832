package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** What {@link QueryDecodingOnceExtractor} relies on: the contract's query parameters are scalars. */
class QueryParametersTest {
  private static final Set<String> SCALARS = Set.of("string", "integer", "number", "boolean");

  @Test
  @DisplayName("every query parameter in the contract has a scalar schema and no explode/style")
  @SuppressWarnings("unchecked")
  void queryParametersAreScalars() throws Exception {
    Map<String, Object> contract;
    try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
      contract = new Yaml().load(in);
    }
    Map<String, Object> shared = (Map<String, Object>) ((Map<String, Object>) contract.getOrDefault("components",
        Map.of())).getOrDefault("parameters", Map.of());
    List<Map<String, Object>> query = new ArrayList<>();
    for (Object item : ((Map<String, Object>) contract.get("paths")).values()) {
      for (Object op : ((Map<String, Object>) item).values()) {
        Object params = op instanceof Map<?, ?> m ? m.get("parameters") : op instanceof List<?> l ? l : null;
        if (params == null) {
          continue;
        }
        for (Object p : (List<Object>) params) {
          Map<String, Object> param = (Map<String, Object>) p;
          if (param.containsKey("$ref")) {
            String ref = (String) param.get("$ref");
            param = (Map<String, Object>) shared.get(ref.substring(ref.lastIndexOf('/') + 1));
          }
          if ("query".equals(param.get("in"))) {
            query.add(param);
          }
        }
      }
    }
    assertFalse(query.isEmpty());
    for (Map<String, Object> p : query) {
      Map<String, Object> schema = (Map<String, Object>) p.get("schema");
      assertTrue(schema != null && SCALARS.contains(String.valueOf(schema.get("type"))), () -> "not a scalar: " + p);
      assertTrue(!p.containsKey("explode") && !p.containsKey("style"), () -> "styled query parameter: " + p);
    }
  }
}
