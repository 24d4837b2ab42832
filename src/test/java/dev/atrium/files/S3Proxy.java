package dev.atrium.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3-compatible server for a test class: S3Proxy (org.gaul:s3proxy, copied by the build
 * into target/s3proxy/s3proxy.jar) in its own JVM, on a free port, with its file-system backend
 * in a temporary folder and SigV4 signature checking on. A test class registers it through
 * {@link S3Node}, which starts it before the node that uses it ({@link #env()} are that node's
 * settings).
 */
public final class S3Proxy implements BeforeAllCallback, AfterAllCallback {
  public static final String BUCKET = "atrium-test";
  static final String ACCESS = "test-access-key";
  static final String SECRET = "test-secret-key-for-s3proxy";

  private final int port = freePort();
  private Path dir;
  private Process process;

  /** The settings of a node that keeps its files here. */
  public Map<String, String> env() {
    return Map.of("ATRIUM_STORAGE", "s3", "ATRIUM_S3_ENDPOINT", endpoint(), "ATRIUM_S3_BUCKET", BUCKET,
        "ATRIUM_S3_ACCESS_KEY", ACCESS, "ATRIUM_S3_SECRET_KEY", SECRET, "ATRIUM_S3_PATH_STYLE", "true");
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Where the backend keeps an object's bytes. */
  public Path object(String key) {
    return dir.resolve(BUCKET).resolve(key);
  }

  /** Every file the backend holds in the bucket (objects and unfinished multipart parts). */
  public List<Path> files() {
    // S3Proxy may delete a multipart upload's parts while the walk reads their folder: a file
    // that vanished under the walk means "list again", not a failed test.
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> s = Files.walk(dir.resolve(BUCKET))) {
        return s.filter(Files::isRegularFile).toList();
      } catch (UncheckedIOException | IOException e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (!(cause instanceof NoSuchFileException) || attempt == 10) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path jar = Path.of("target", "s3proxy", "s3proxy.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: the build copies it (maven-dependency-plugin)");
    }
    dir = Files.createTempDirectory("atrium-s3proxy");
    Path props = dir.resolve("s3proxy.conf");
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=" + endpoint(),
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS,
        "s3proxy.credential=" + SECRET,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + dir.resolve("data")), StandardCharsets.UTF_8);
    dir = dir.resolve("data");
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString())
        .redirectErrorStream(true).redirectOutput(dir.getParent().resolve("s3proxy.log").toFile()).start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start: "
              + Files.readString(dir.getParent().resolve("s3proxy.log")));
        }
        Thread.sleep(100);
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (process != null) {
      process.destroy();
      process.waitFor();
    }
    if (dir != null) {
      try (Stream<Path> s = Files.walk(dir.getParent())) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
