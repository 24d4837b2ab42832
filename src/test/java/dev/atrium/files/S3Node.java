package dev.atrium.files;

import dev.atrium.support.TestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A node that keeps its files in an {@link S3Proxy} of its own, as one extension: it starts the
 * proxy, then the node on it, and stops them the other way round, so a test class registers one
 * field instead of two that must be ordered.
 */
final class S3Node implements BeforeAllCallback, AfterAllCallback {
  private final S3Proxy proxy = new S3Proxy();
  private final TestServer server;

  /** {@code settings}: the node's own settings, beside those that point it at the proxy. */
  S3Node(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>(proxy.env());
    env.putAll(settings);
    this.server = TestServer.node(env);
  }

  TestServer server() {
    return server;
  }

  S3Proxy proxy() {
    return proxy;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    proxy.beforeAll(context);
    server.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      server.afterAll(context);
    } finally {
      proxy.afterAll(context);
    }
  }
}
