package dev.atrium.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads openapi.yaml: as JSON for the request validators ({@code api.validation}), and as the
 * router's model. The file tells consumers the truth (errors are
 * {@code application/problem+json}, the contract is {@code application/yaml}, exports are CSV);
 * vertx-openapi 5.0.7 refuses to load a contract naming such media types even for responses,
 * which it never looks at, so the router's in-memory copy names a supported stand-in
 * ({@code application/json} for JSON kinds, else {@code application/octet-stream}). The
 * router's copy also has no {@code security}: the router builder would insist on one of its
 * handler classes per scheme, whose behaviour can only be changed by subclassing Vert.x
 * internals; {@link Authentication} reads the requirements from the JSON instead. Clients are
 * still served the file itself.
 */
public final class ContractLoader {
  /** The contract as JSON, and the library's model of it (for routing). */
  public record Loaded(JsonObject json, OpenAPIContract model) {
  }

  private ContractLoader() {
  }

  public static Future<Loaded> load(Vertx vertx, String path) {
    return vertx.fileSystem().readFile(path)
        .map(bytes -> parse(bytes.toString(StandardCharsets.UTF_8)))
        .compose(json -> OpenAPIContract.from(vertx, routable(json)).map(model -> new Loaded(json, model)));
  }

  /** YAML → JSON; timestamps stay strings (JSON has no date type). */
  public static JsonObject parse(String yaml) {
    SafeConstructor constructor = new SafeConstructor(new LoaderOptions()) {
      {
        yamlConstructors.put(Tag.TIMESTAMP, yamlConstructors.get(Tag.STR));
      }
    };
    Object root = new Yaml(constructor).load(yaml);
    if (!(root instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("openapi.yaml is not a YAML mapping");
    }
    return new JsonObject(jsonify(map));
  }

  private static Map<String, Object> jsonify(Map<?, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), jsonValue(v)));
    return out;
  }

  private static Object jsonValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return new JsonObject(jsonify(m));
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(e -> out.add(jsonValue(e)));
      return new JsonArray(out);
    }
    return v;
  }

  static JsonObject routable(JsonObject contract) {
    JsonObject copy = contract.copy();
    rewrite(copy);
    copy.remove("security");
    copy.getJsonObject("paths", new JsonObject()).forEach(path -> ((JsonObject) path.getValue()).forEach(entry -> {
      if (entry.getValue() instanceof JsonObject operation) {
        operation.remove("security");
      }
    }));
    return copy;
  }

  private static void rewrite(Object node) {
    if (node instanceof JsonObject object) {
      Object content = object.getValue("content");
      if (content instanceof JsonObject media) {
        for (String type : List.copyOf(media.fieldNames())) {
          if (!MediaType.isMediaTypeSupported(type)) {
            String standIn = type.endsWith("json") ? MediaType.APPLICATION_JSON : MediaType.APPLICATION_OCTET_STREAM;
            Object definition = media.remove(type);
            if (!media.containsKey(standIn)) {
              media.put(standIn, definition);
            }
          }
        }
      }
      object.forEach(entry -> rewrite(entry.getValue()));
    } else if (node instanceof JsonArray array) {
      array.forEach(ContractLoader::rewrite);
    }
  }
}
