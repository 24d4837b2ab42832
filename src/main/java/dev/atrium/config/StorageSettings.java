package dev.atrium.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where file bytes live and the limits of the upload path. {@code backend} is {@code local}
 * (the data directory) or {@code s3} (then the {@code s3*} fields are required). Signing-key
 * rotation is here too, since it is what lets nodes share nothing but PostgreSQL, Redis and the
 * object store.
 */
public record StorageSettings(
    String backend,
    URI s3Endpoint,
    String s3Bucket,
    String s3Region,
    String s3AccessKey,
    String s3SecretKey,
    boolean s3PathStyle,
    boolean s3PresignedDownloads,
    long s3PartSize,
    long s3UploadMemory,
    int uploadsPerUser,
    long diskReserve,
    Duration tusExpiry,
    Duration keyRotation) {

  public static final long MIN_PART = 5L * 1024 * 1024;

  public boolean s3() {
    return "s3".equals(backend);
  }

  static StorageSettings from(Map<String, String> env) {
    Function<String, String> raw = name -> {
      String v = env.get(name);
      return v == null || v.isBlank() ? null : v.trim();
    };
    String backend = parse(raw, "ATRIUM_STORAGE", "local", s -> {
      String b = s.toLowerCase(Locale.ROOT);
      if (!b.equals("local") && !b.equals("s3")) {
        throw new IllegalArgumentException("expected local or s3, got '" + s + "'");
      }
      return b;
    });
    boolean s3 = backend.equals("s3");
    long part = parse(raw, "ATRIUM_S3_PART_SIZE", "8MB", ValueParsers::bytes);
    if (part < MIN_PART) {
      throw new ConfigException("ATRIUM_S3_PART_SIZE", "must be at least 5MB (the S3 minimum part size)");
    }
    // parts held in memory by all uploads of the node; more are spooled to data/tmp
    long memory = parse(raw, "ATRIUM_S3_UPLOAD_MEMORY", Long.toString(Runtime.getRuntime().maxMemory() / 4),
        ValueParsers::bytes);
    int uploads = parse(raw, "ATRIUM_UPLOADS_PER_USER", "2", Integer::parseInt);
    if (uploads < 1 || uploads > 1000) {
      throw new ConfigException("ATRIUM_UPLOADS_PER_USER", "must be between 1 and 1000, got " + uploads);
    }
    return new StorageSettings(backend,
        s3 ? parse(raw, "ATRIUM_S3_ENDPOINT", null, StorageSettings::endpoint) : null,
        s3 ? required(raw, "ATRIUM_S3_BUCKET") : null,
        parse(raw, "ATRIUM_S3_REGION", "us-east-1", s -> s),
        s3 ? required(raw, "ATRIUM_S3_ACCESS_KEY") : null,
        s3 ? required(raw, "ATRIUM_S3_SECRET_KEY") : null,
        parse(raw, "ATRIUM_S3_PATH_STYLE", "true", StorageSettings::bool),
        parse(raw, "ATRIUM_S3_PRESIGNED_DOWNLOADS", "false", StorageSettings::bool),
        part,
        memory,
        uploads,
        parse(raw, "ATRIUM_DISK_RESERVE", "1GB", ValueParsers::bytes),
        parse(raw, "ATRIUM_TUS_EXPIRY", "24h", ValueParsers::duration),
        parse(raw, "ATRIUM_KEY_ROTATION", "30d", ValueParsers::duration));
  }

  private static String required(Function<String, String> raw, String name) {
    String v = raw.apply(name);
    if (v == null) {
      throw new ConfigException(name, "is required when ATRIUM_STORAGE=s3");
    }
    return v;
  }

  private static <T> T parse(Function<String, String> raw, String name, String fallback, Function<String, T> parser) {
    String v = raw.apply(name);
    if (v == null && fallback == null) {
      throw new ConfigException(name, "is required when ATRIUM_STORAGE=s3");
    }
    try {
      return parser.apply(v == null ? fallback : v);
    } catch (RuntimeException e) {
      throw new ConfigException(name, e.getMessage());
    }
  }

  private static URI endpoint(String text) {
    URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("expected http(s)://host[:port], got '" + text + "'");
    }
    return uri;
  }

  private static boolean bool(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
    };
  }
}
