package dev.atrium.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DataKeyTest {
  static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  @DisplayName("ATRIUM_DATA_KEY: unset by default; 32 bytes of base64 (standard or URL-safe); its id is stable and not the key")
  void parses() {
    assertTrue(AppConfig.fromEnv(Map.of()).dataKeys().sealing().isEmpty());
    DataKey k = AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY", KEY)).dataKeys().sealing().orElseThrow();
    assertEquals(16, k.id().length());
    assertEquals(k.id(), DataKey.parse(KEY).id());
    byte[] other = new byte[32];
    other[0] = (byte) 0xfb; // encodes with '-' in the URL-safe alphabet
    String urlSafe = Base64.getUrlEncoder().encodeToString(other);
    assertTrue(urlSafe.contains("-") || urlSafe.contains("_"), urlSafe);
    assertNotEquals(k.id(), DataKey.parse(urlSafe).id());
    assertFalse(k.toString().contains(KEY));
    assertEquals("DataKey[" + k.id() + "]", k.toString());
  }

  @Test
  @DisplayName("a key of the wrong size or not base64 stops start-up naming the variable, without echoing the value")
  void refusesBadKeys() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    for (String bad : new String[] {shortKey, "not base64 at all!"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY", bad)));
      assertTrue(e.getMessage().contains("ATRIUM_DATA_KEY"), e.getMessage());
      assertFalse(e.getMessage().contains(bad), e.getMessage());
    }
  }

  @Test
  @DisplayName("ATRIUM_DATA_KEY_FALLBACKS: comma-separated keys that only open; the sealing key and repeats are dropped; without ATRIUM_DATA_KEY it is refused")
  void fallbacks() {
    byte[] second = new byte[32];
    second[0] = 1;
    String other = Base64.getEncoder().encodeToString(second);
    DataKeyRing ring = AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY", KEY,
        "ATRIUM_DATA_KEY_FALLBACKS", other + ", " + KEY + "," + other)).dataKeys();
    assertEquals(DataKey.parse(KEY).id(), ring.sealing().orElseThrow().id());
    assertEquals(1, ring.fallbacks().size());
    assertEquals(DataKey.parse(other).id(), ring.fallbacks().get(0).id());
    assertTrue(AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY", KEY)).dataKeys().fallbacks().isEmpty());
    ConfigException alone = assertThrows(ConfigException.class,
        () -> AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY_FALLBACKS", other)));
    assertTrue(alone.getMessage().contains("ATRIUM_DATA_KEY_FALLBACKS") && alone.getMessage().contains("needs ATRIUM_DATA_KEY"),
        alone.getMessage());
    ConfigException bad = assertThrows(ConfigException.class,
        () -> AppConfig.fromEnv(Map.of("ATRIUM_DATA_KEY", KEY, "ATRIUM_DATA_KEY_FALLBACKS", "short")));
    assertFalse(bad.getMessage().contains("short"), bad.getMessage());
  }
}
