package dev.atrium.support;

import dev.atrium.config.AppConfig;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** ATRIUM_DATA_KEY values for tests: 32 bytes of one value, in base64, and the id a node gives them. */
public final class DataKeys {
  private DataKeys() {
  }

  public static String filledWith(int fill) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) fill);
    return Base64.getEncoder().encodeToString(b);
  }

  public static String id(String key) {
    return AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY", key)).dataKeys().sealing().orElseThrow().id();
  }

  /** The ids of the data keys that sealed what the node's database holds: TOTP secrets and signing keys. */
  public static Set<Object> sealedWith(TestServer server) {
    Set<Object> ids = new HashSet<>();
    server.sql("SELECT secret_key_id AS id FROM user_totp").forEach(r -> ids.add(r.get("id")));
    server.sql("SELECT sealed_with AS id FROM signing_keys").forEach(r -> ids.add(r.get("id")));
    return ids;
  }
}
