package dev.atrium.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;
import io.vertx.openapi.impl.Utils;

/**
 * Loads openapi.yaml for the router. The file tells consumers the truth (errors are
 * {@code application/problem+json}, the contract is {@code application/yaml}, exports are CSV);
 * vertx-openapi 5.0.7 refuses to load a contract naming such media types even for responses,
 * which it never validates, so the router's in-memory copy names a supported stand-in
 * ({@code application/json} for JSON kinds, else {@code application/octet-stream}). Clients
 * are still served the file itself.
 */
public final class ContractLoader {
  private ContractLoader() {
  }

  public static Future<OpenAPIContract> load(Vertx vertx, String path) {
    // Utils is the library's own YAML reader, so parsing matches what OpenAPIContract.from does.
    return Utils.readYamlOrJson(vertx, path)
        .compose(raw -> OpenAPIContract.from(vertx, routable(raw)));
  }

  static JsonObject routable(JsonObject contract) {
    JsonObject copy = contract.copy();
    rewrite(copy);
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
    } else if (node instanceof io.vertx.core.json.JsonArray array) {
      array.forEach(ContractLoader::rewrite);
    }
  }
}
