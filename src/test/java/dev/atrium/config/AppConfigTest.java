package dev.atrium.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AppConfigTest {
  @Test
  @DisplayName("with no variables set, the blueprint's defaults apply")
  void defaults() {
    AppConfig c = AppConfig.fromEnv(Map.of());
    assertEquals(8080, c.httpPort());
    assertEquals("atrium", c.dbName());
    assertEquals("redis://127.0.0.1:6379/0", c.redisUrl());
    assertEquals("atrium:", c.redisPrefix());
    assertEquals(Duration.ofHours(1), c.accessTtl());
    assertEquals(Duration.ofDays(7), c.refreshTtl());
    assertEquals(List.of("http://localhost:3000", "http://localhost:8080"), c.corsOrigins());
    assertEquals(100L * 1024 * 1024, c.maxFileSize());
    assertEquals(Duration.ofMinutes(15), c.signedUrlTtl());
    assertEquals(365, c.activityRetentionDays());
    assertEquals(365, c.notificationRetentionDays());
    assertEquals(Duration.ofMinutes(2), c.startTimeout());
    assertEquals(Duration.ofSeconds(10), c.access().refreshReuseGrace());
    assertEquals(Duration.ZERO, AppConfig.fromEnv(Map.of("ATRIUM_REFRESH_REUSE_GRACE", "0")).access().refreshReuseGrace());
  }

  @Test
  @DisplayName("values are parsed: durations, sizes, origins, booleans")
  void parsing() {
    AppConfig c = AppConfig.fromEnv(Map.of("ATRIUM_ACCESS_TTL", "90s", "ATRIUM_MAX_FILE_SIZE", "2GB",
        "ATRIUM_CORS_ORIGINS", "https://app.example.com, http://localhost:5173", "ATRIUM_TRUST_PROXY", "yes",
        "ATRIUM_DB_URL", "postgresql://app:s%40cret@db.internal:6543/prod"));
    assertEquals(Duration.ofSeconds(90), c.accessTtl());
    assertEquals(2L << 30, c.maxFileSize());
    assertEquals(List.of("https://app.example.com", "http://localhost:5173"), c.corsOrigins());
    assertTrue(c.trustProxy());
    assertEquals("prod", c.dbName());
  }

  @Test
  @DisplayName("a bad value fails with a message that names the variable and what is wrong")
  void badValues() {
    Map<String, String> cases = Map.of(
        "ATRIUM_HTTP_PORT", "eighty",
        "ATRIUM_ACCESS_TTL", "1 hour",
        "ATRIUM_MAX_FILE_SIZE", "lots",
        "ATRIUM_DB_URL", "mysql://x/y",
        "ATRIUM_REDIS_URL", "localhost:6379",
        "ATRIUM_CORS_ORIGINS", "not a url",
        "ATRIUM_TRUST_PROXY", "maybe",
        "ATRIUM_HASH_WORKERS", "0",
        "ATRIUM_REFRESH_REUSE_GRACE", "2m",
        "ATRIUM_START_TIMEOUT", "2h");
    cases.forEach((name, value) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of(name, value)), name);
      assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
    });
  }

  @Test
  @DisplayName("the idle-in-transaction bound sits above the export stall timeout: an export's paused cursor"
      + " is the export's to end, not PostgreSQL's")
  void idleInTransactionAboveExportStall() {
    AppConfig defaults = AppConfig.fromEnv(Map.of());
    assertEquals(Duration.ofMinutes(2), defaults.dbIdleInTransactionTimeout());
    assertEquals(Duration.ofSeconds(60), defaults.exportStallTimeout());
    assertEquals(Duration.ofMillis(1500), AppConfig.fromEnv(Map.of("ATRIUM_EXPORT_STALL_TIMEOUT", "1s",
        "ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT", "1500ms")).dbIdleInTransactionTimeout());

    ConfigException notAbove = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of(
        "ATRIUM_EXPORT_STALL_TIMEOUT", "5m")));
    assertTrue(notAbove.getMessage().startsWith("ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT: must be longer than"
        + " ATRIUM_EXPORT_STALL_TIMEOUT"), notAbove.getMessage());
    ConfigException tooLong = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of(
        "ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT", "30d")));
    assertTrue(tooLong.getMessage().contains("at most 1d"), tooLong.getMessage());
  }

  @Test
  @DisplayName("a URL that fails to parse is quoted in the error with its password masked")
  void badUrlsHideTheirPassword() {
    Map<String, String> cases = Map.of(
        "ATRIUM_DB_URL", "mysql://app:hunter2@db/prod",
        "ATRIUM_REDIS_URL", "http://:hunter2@cache:6379/0");
    cases.forEach((name, value) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of(name, value)), name);
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
      assertTrue(e.getMessage().contains(":***@"), e.getMessage());
    });
    for (String raw : new String[] {"postgresql://app:hun ter2@db/prod", "postgresql://app:p@ss@w0rd@db:5432/prod"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", raw)));
      assertTrue(e.getMessage().startsWith("ATRIUM_DB_URL: "), e.getMessage());
      assertFalse(e.getMessage().contains("ter2") || e.getMessage().contains("w0rd"), e.getMessage());
    }
  }

  @Test
  @DisplayName("ATRIUM_DB_URL takes libpq's sslmode and sslrootcert; TLS is off without them, and any other"
      + " parameter, a bad mode or an unreadable root is refused rather than ignored")
  void databaseTls() throws Exception {
    assertEquals(DbTls.DISABLED, AppConfig.fromEnv(Map.of()).dbTls());
    DbTls system = AppConfig.fromEnv(Map.of("ATRIUM_DB_URL",
        "postgresql://app@db.internal/prod?sslmode=verify-full&sslrootcert=system")).dbTls();
    assertEquals(new DbTls("verify-full", Optional.empty()), system);
    assertTrue(system.verifiesCertificate() && system.verifiesHostName());
    Path root = Files.createTempFile("root", ".pem");
    try {
      DbTls require = AppConfig.fromEnv(Map.of("ATRIUM_DB_URL",
          "postgresql://app@db.internal/prod?sslrootcert=" + root + "&sslmode=require")).dbTls();
      assertEquals(Optional.of(root), require.rootCert());
      assertTrue(require.verifiesCertificate(), "require with a root checks the chain, as libpq does");
      assertFalse(require.verifiesHostName());
    } finally {
      Files.delete(root);
    }
    assertFalse(AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", "postgresql://app@db/prod?sslmode=require")).dbTls()
        .verifiesCertificate());

    Map<String, String> refused = Map.of(
        "postgresql://app@db/prod?ssl=true", "unsupported parameter 'ssl'",
        "postgresql://app@db/prod?sslmode=verify_full", "sslmode must be one of",
        "postgresql://app@db/prod?sslmode=require&sslmode=disable", "given twice",
        "postgresql://app@db/prod?sslmode=verify-ca&sslrootcert=/nonexistent/root.pem", "not a readable file");
    refused.forEach((url, why) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", url)), url);
      assertTrue(e.getMessage().startsWith("ATRIUM_DB_URL: ") && e.getMessage().contains(why), e.getMessage());
    });
  }

  @Test
  @DisplayName("ATRIUM_REDIS_CA_FILE is a readable PEM and applies to a rediss:// URL only")
  void redisCaFile() throws Exception {
    assertEquals(Optional.empty(), AppConfig.fromEnv(Map.of()).redisCaFile());
    Path ca = Files.createTempFile("redis-ca", ".pem");
    try {
      assertEquals(Optional.of(ca), AppConfig.fromEnv(Map.of("ATRIUM_REDIS_URL", "rediss://cache.internal:6380/0",
          "ATRIUM_REDIS_CA_FILE", ca.toString())).redisCaFile());
      ConfigException plain = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of(
          "ATRIUM_REDIS_CA_FILE", ca.toString())));
      assertTrue(plain.getMessage().startsWith("ATRIUM_REDIS_CA_FILE: applies to a rediss://"), plain.getMessage());
    } finally {
      Files.delete(ca);
    }
    ConfigException missing = assertThrows(ConfigException.class, () -> AppConfig.fromEnv(Map.of(
        "ATRIUM_REDIS_URL", "rediss://cache.internal:6380/0", "ATRIUM_REDIS_CA_FILE", "/nonexistent/ca.pem")));
    assertTrue(missing.getMessage().contains("not a readable PEM file"), missing.getMessage());
  }
}
