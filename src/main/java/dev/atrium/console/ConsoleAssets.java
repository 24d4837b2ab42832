package dev.atrium.console;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The console's production build (src/main/resources/console/, listed in its {@code files.txt}),
 * read from the class path once at start-up. It is a few megabytes and fixed for the life of
 * the jar, so keeping it in memory spares every request a file lookup.
 */
final class ConsoleAssets {
  static final String ROOT = "console/";
  static final String INDEX = "index.html";
  private static final String LIST = "files.txt";
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("json", "application/json"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("woff2", "font/woff2"),
      Map.entry("woff", "font/woff"),
      Map.entry("ttf", "font/ttf"),
      Map.entry("txt", "text/plain; charset=utf-8"));

  private final Map<String, ConsoleAsset> files;

  private ConsoleAssets(Map<String, ConsoleAsset> files) {
    this.files = files;
  }

  /** Blocking: call on a worker thread. An absent build gives an empty set (the console answers 404). */
  static ConsoleAssets load(ClassLoader loader) throws IOException {
    byte[] list = read(loader, ROOT + LIST);
    Map<String, ConsoleAsset> files = new HashMap<>();
    if (list == null) {
      return new ConsoleAssets(Map.of());
    }
    for (String line : new String(list, StandardCharsets.UTF_8).split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.endsWith(".gz")) {
        continue;
      }
      byte[] raw = read(loader, ROOT + name);
      if (raw == null) {
        throw new IOException("console build lists " + name + " but the jar has no such file");
      }
      // Hashed file names (Vite's assets/ folder) never change content: cache them for a year.
      byte[] gzip = read(loader, ROOT + name + ".gz");
      files.put(name, new ConsoleAsset(Buffer.buffer(raw), gzip == null ? null : Buffer.buffer(gzip), type(name),
          etag(raw), name.startsWith("assets/")));
    }
    return new ConsoleAssets(Map.copyOf(files));
  }

  ConsoleAsset get(String name) {
    return files.get(name);
  }

  ConsoleAsset index() {
    return files.get(INDEX);
  }

  private static byte[] read(ClassLoader loader, String resource) throws IOException {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static String type(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  private static String etag(byte[] raw) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
