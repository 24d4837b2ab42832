package dev.atrium.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting of a node, read once from the environment at start-up. Tests build one with
 * {@link #fromEnv(Map)} over a map of overrides.
 */
public record AppConfig(
    int httpPort,
    String httpHost,
    URI dbUrl,
    DbTls dbTls,
    int dbPoolSize,
    int dbPipelinedConnections,
    Duration dbIdleInTransactionTimeout,
    String redisUrl,
    Optional<Path> redisCaFile,
    String redisPrefix,
    Duration redisTimeout,
    Path dataDir,
    Optional<Path> jwtKeyFile,
    Duration accessTtl,
    Duration refreshTtl,
    List<String> corsOrigins,
    Optional<String> publicUrl,
    long maxFileSize,
    long userQuota,
    Duration signedUrlTtl,
    int activityRetentionDays,
    int notificationRetentionDays,
    Optional<String> adminEmail,
    Optional<String> adminPassword,
    int apiInstances,
    int hashWorkers,
    int hashQueue,
    int loginMaxFailures,
    int loginMaxFailuresPerIp,
    Duration loginWindow,
    boolean trustProxy,
    Duration shutdownGrace,
    Duration startTimeout,
    Duration usersListCache,
    int ingestQueue,
    int ingestBatch,
    int ingestFlushers,
    Duration activityMaintenanceInterval,
    int exportConcurrency,
    Duration exportStallTimeout,
    int ingestRatePerUser,
    PushSettings push,
    StorageSettings storage,
    MailSettings mail,
    AccessSettings access,
    DataKeyRing dataKeys) {

  public static AppConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    int cores = Runtime.getRuntime().availableProcessors();
    // unset: paging links follow the request's Host, as DRF's do, and mails link to localhost
    Optional<String> publicUrl = Optional.ofNullable(r.raw("ATRIUM_PUBLIC_URL"))
        .map(v -> r.get("ATRIUM_PUBLIC_URL", v, MailSettings::publicUrl));
    // a client that reads nothing for this long loses its export (and frees its connection)
    Duration exportStall = r.get("ATRIUM_EXPORT_STALL_TIMEOUT", "60s", ValueParsers::duration);
    String localDb = "postgresql://postgres@127.0.0.1:5432/atrium";
    String redisUrl = r.get("ATRIUM_REDIS_URL", "redis://127.0.0.1:6379/0", AppConfig::redisUri);
    return new AppConfig(
        r.integer("ATRIUM_HTTP_PORT", 8080, 0, 65535),
        r.string("ATRIUM_HTTP_HOST", "0.0.0.0"),
        r.get("ATRIUM_DB_URL", localDb, AppConfig::dbUri),
        r.get("ATRIUM_DB_URL", localDb, text -> DbTls.parse(dbUri(text))),
        r.integer("ATRIUM_DB_POOL_SIZE", 16, 1, 512),
        r.integer("ATRIUM_DB_PIPELINED_CONNECTIONS", 2, 1, 64),
        r.get("ATRIUM_DB_IDLE_IN_TRANSACTION_TIMEOUT", "2m", text -> idleInTransaction(text, exportStall)),
        redisUrl,
        // the authorities a rediss:// server's certificate must chain to, instead of the JVM's own
        Optional.ofNullable(r.raw("ATRIUM_REDIS_CA_FILE"))
            .map(v -> r.get("ATRIUM_REDIS_CA_FILE", v, text -> caFile(text, redisUrl))),
        r.string("ATRIUM_REDIS_PREFIX", "atrium:"),
        r.get("ATRIUM_REDIS_TIMEOUT", "2s", AppConfig::redisTimeout),
        r.get("ATRIUM_DATA_DIR", "./data", Path::of),
        Optional.ofNullable(r.raw("ATRIUM_JWT_KEY_FILE")).map(Path::of),
        r.get("ATRIUM_ACCESS_TTL", "1h", ValueParsers::duration),
        r.get("ATRIUM_REFRESH_TTL", "7d", ValueParsers::duration),
        r.get("ATRIUM_CORS_ORIGINS", "http://localhost:3000,http://localhost:8080", AppConfig::origins),
        publicUrl,
        r.get("ATRIUM_MAX_FILE_SIZE", "100MB", ValueParsers::bytes),
        r.get("ATRIUM_USER_QUOTA", "10GB", ValueParsers::bytes),
        r.get("ATRIUM_SIGNED_URL_TTL", "15m", ValueParsers::duration),
        r.integer("ATRIUM_ACTIVITY_RETENTION_DAYS", 365, 1, 36500),
        r.integer("ATRIUM_NOTIFICATION_RETENTION_DAYS", 365, 1, 36500),
        Optional.ofNullable(r.raw("ATRIUM_ADMIN_EMAIL")),
        Optional.ofNullable(r.raw("ATRIUM_ADMIN_PASSWORD")),
        r.integer("ATRIUM_API_INSTANCES", cores, 1, 256),
        // One core stays free for the event loops, so logins never starve request handling.
        r.integer("ATRIUM_HASH_WORKERS", Math.max(1, cores - 1), 1, 256),
        r.integer("ATRIUM_HASH_QUEUE", 64, 0, 100_000),
        r.integer("ATRIUM_LOGIN_MAX_FAILURES", 5, 1, 1000),
        r.integer("ATRIUM_LOGIN_MAX_FAILURES_PER_IP", 5, 1, 1_000_000),
        r.get("ATRIUM_LOGIN_WINDOW", "15m", ValueParsers::duration),
        r.get("ATRIUM_TRUST_PROXY", "false", AppConfig::bool),
        r.get("ATRIUM_SHUTDOWN_GRACE", "10s", ValueParsers::duration),
        r.get("ATRIUM_START_TIMEOUT", "2m", AppConfig::startTimeout),
        // off by default: an administrator paging and searching sees the database, not a copy
        r.get("ATRIUM_USERS_LIST_CACHE", "0", AppConfig::upToAMinute),
        // analytics: activities accepted but not yet committed (beyond it: 503), rows per insert,
        // inserts in flight at once (one per two cores: on a small machine that shares its CPU
        // with PostgreSQL, fewer and larger inserts store more per second), partition upkeep
        // period, concurrent exports
        r.integer("ATRIUM_INGEST_QUEUE", 50_000, 1, 10_000_000),
        r.integer("ATRIUM_INGEST_BATCH", 2_000, 1, 50_000),
        r.integer("ATRIUM_INGEST_FLUSHERS", Math.max(1, cores / 2), 1, 64),
        r.get("ATRIUM_ACTIVITY_MAINTENANCE_INTERVAL", "1h", ValueParsers::duration),
        r.integer("ATRIUM_EXPORT_CONCURRENCY", 4, 1, 256),
        exportStall,
        // activities one user may send per second on one node (a whole batch of 1,000 always fits)
        r.integer("ATRIUM_INGEST_RATE_PER_USER", 2_000, 1, 100_000_000),
        new PushSettings(
            r.get("ATRIUM_WS_AUTH_TIMEOUT", "5s", ValueParsers::duration),
            r.get("ATRIUM_WS_PING_INTERVAL", "25s", ValueParsers::duration),
            r.get("ATRIUM_WS_PONG_TIMEOUT", "60s", ValueParsers::duration),
            r.integer("ATRIUM_PUSH_REPLAY_EVENTS", 1000, 10, 1_000_000),
            r.get("ATRIUM_PUSH_REPLAY_TTL", "1h", ValueParsers::duration),
            r.integer("ATRIUM_WS_MAX_PER_USER", 20, 1, 10_000),
            r.integer("ATRIUM_WS_FRAME_RATE", 20, 1, 10_000)),
        StorageSettings.from(env),
        new MailSettings(
            Optional.ofNullable(r.raw("ATRIUM_SMTP_URL")).map(v -> r.get("ATRIUM_SMTP_URL", v, MailSettings::parseSmtp)
                .trustingAll(r.get("ATRIUM_SMTP_TRUST_ALL", "false", AppConfig::bool))),
            r.get("ATRIUM_MAIL_FROM", "Atrium <no-reply@atrium.local>", MailSettings::address),
            publicUrl.orElse(MailSettings.LOCAL_URL),
            r.get("ATRIUM_REQUIRE_VERIFIED_EMAIL", "false", AppConfig::bool),
            r.integer("ATRIUM_MAIL_MAX_ATTEMPTS", 10, 1, 100),
            r.get("ATRIUM_MAIL_RETRY_BASE", "5s", ValueParsers::duration),
            new MailSettings.CodeLimits(
                r.integer("ATRIUM_CODE_MAILS_PER_ADDRESS", 5, 1, 1000),
                r.integer("ATRIUM_CODE_MAILS_PER_IP", 30, 1, 1_000_000),
                r.get("ATRIUM_CODE_MAILS_WINDOW", "15m", MailSettings::codeWindow))),
        new AccessSettings(
            r.get("ATRIUM_SESSION_MAX_AGE", "30d", ValueParsers::duration),
            r.get("ATRIUM_API_KEY_MAX_TTL", "90d", ValueParsers::duration),
            r.integer("ATRIUM_LOGIN_MAX_FAILURES_PER_ACCOUNT", 50, 1, 1_000_000),
            r.get("ATRIUM_REFRESH_REUSE_GRACE", "10s", AppConfig::upToAMinute),
            r.integer("ATRIUM_MAX_SESSIONS_PER_USER", 100, 1, 10_000)),
        // unset: TOTP secrets and signing keys are stored as they are (see README, "Signing keys")
        dataKeys(r));
  }

  private static DataKeyRing dataKeys(Reader r) {
    Optional<DataKey> sealing = Optional.ofNullable(r.raw("ATRIUM_DATA_KEY"))
        .map(v -> r.get("ATRIUM_DATA_KEY", v, DataKey::parse));
    return new DataKeyRing(sealing,
        r.get("ATRIUM_DATA_KEY_FALLBACKS", "", text -> DataKeyRing.parseFallbacks(text, sealing)));
  }

  /** The database name in the URL path. */
  public String dbName() {
    return dbUrl.getPath().substring(1);
  }

  private static URI dbUri(String text) {
    URI uri = URI.create(text.startsWith("jdbc:") ? text.substring(5) : text);
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("expected postgresql://user@host:port/database, got '" + text + "'");
    }
    if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
      throw new IllegalArgumentException("needs a host and a database name, got '" + text + "'");
    }
    return uri;
  }

  private static String redisUri(String text) {
    URI uri = URI.create(text);
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("expected redis://host:port/db, got '" + text + "'");
    }
    return text;
  }

  private static Path caFile(String text, String redisUrl) {
    if (!redisUrl.startsWith("rediss://")) {
      throw new IllegalArgumentException("applies to a rediss:// ATRIUM_REDIS_URL only");
    }
    Path path = Path.of(text);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("'" + text + "' is not a readable PEM file");
    }
    return path;
  }

  /** How long start-up may take once the migrations are applied: between a second and an hour. */
  private static Duration startTimeout(String text) {
    Duration d = ValueParsers.duration(text);
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("must be between 1s and 1h, got '" + text + "'");
    }
    return d;
  }

  /** A deadline for every Redis call: long enough for a busy Redis, short enough to fail fast. */
  private static Duration redisTimeout(String text) {
    Duration d = ValueParsers.duration(text);
    if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("must be between 100ms and 1m, got '" + text + "'");
    }
    return d;
  }

  private static List<String> origins(String text) {
    List<String> list = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String origin : list) {
      if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException("'" + origin + "' is not an origin such as https://app.example.com");
      }
    }
    return list;
  }

  /**
   * How long PostgreSQL lets one of the node's sessions sit idle inside a transaction. An
   * export's cursor idles while its client does not read, for up to the export stall timeout, so
   * the bound must sit above that.
   */
  private static Duration idleInTransaction(String text, Duration exportStall) {
    Duration d = ValueParsers.duration(text);
    if (d.compareTo(exportStall) <= 0) {
      throw new IllegalArgumentException("must be longer than ATRIUM_EXPORT_STALL_TIMEOUT (" + exportStall.toMillis()
          + " ms), got '" + text + "'");
    }
    if (d.compareTo(Duration.ofDays(1)) > 0) { // PostgreSQL takes whole milliseconds up to 2^31
      throw new IllegalArgumentException("must be at most 1d, got '" + text + "'");
    }
    return d;
  }

  /** A short window (a cache's lifetime, the refresh reuse grace): "0" turns it off; at most a minute. */
  private static Duration upToAMinute(String text) {
    if (text.trim().equals("0")) {
      return Duration.ZERO;
    }
    Duration d = ValueParsers.duration(text);
    if (d.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("must be at most 1m (or 0 to turn it off), got '" + text + "'");
    }
    return d;
  }

  private static boolean bool(String text) {
    return switch (text.trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
    };
  }

  /** Reads variables and turns every parse failure into a {@link ConfigException} naming the variable. */
  private record Reader(Map<String, String> env) {
    String raw(String name) {
      String v = env.get(name);
      return v == null || v.isBlank() ? null : v.trim();
    }

    String string(String name, String fallback) {
      String v = raw(name);
      return v == null ? fallback : v;
    }

    <T> T get(String name, String fallback, Function<String, T> parser) {
      try {
        return parser.apply(string(name, fallback));
      } catch (RuntimeException e) {
        throw new ConfigException(name, e.getMessage());
      }
    }

    int integer(String name, int fallback, int min, int max) {
      int value = get(name, Integer.toString(fallback), s -> {
        try {
          return Integer.parseInt(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
        }
      });
      if (value < min || value > max) {
        throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    }
  }
}
