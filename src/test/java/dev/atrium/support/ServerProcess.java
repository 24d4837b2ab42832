package dev.atrium.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Atrium in its own JVM, started the way operators start it (main class, environment
 * variables), for what an in-process node cannot show: a small heap (-Xmx), SIGTERM handling
 * and the exit code. Reuses a {@link TestServer}'s environment so both see the same database.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "server-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a JVM with the given options and environment; returns once it logs that it is ready. */
  public static ServerProcess start(Map<String, String> env, List<String> jvmOptions) {
    return launch(env, jvmOptions).awaitReady(Duration.ofSeconds(60));
  }

  /** Starts a JVM with the given options and environment, and returns at once. */
  public static ServerProcess launch(Map<String, String> env, List<String> jvmOptions) {
    int port = TestServer.freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.javaBin());
    cmd.addAll(jvmOptions);
    cmd.add("-Dlogback.configurationFile=logback.xml"); // production logging, not the tests' quiet one
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.atrium.Atrium");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("ATRIUM_HTTP_PORT", Integer.toString(port));
    pb.environment().put("ATRIUM_HTTP_HOST", "127.0.0.1");
    pb.environment().put("ATRIUM_ACCESS_LOG", "WARN");
    try {
      return new ServerProcess(pb.start(), port);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the node logs that it is ready; fails (and stops it) if it exits or takes longer. */
  public ServerProcess awaitReady(Duration timeout) {
    try {
      Poll.until(timeout, "the server process logs that it is ready", () -> logged("Atrium ready") || !process.isAlive());
    } catch (AssertionError notReady) {
      close(); // never leave a stray node running
      throw notReady;
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("server process exited: " + String.join("\n", output()));
    }
    return this;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Runs the node until it exits by itself (it is expected to refuse to start); returns exit code and output. */
  public static Exit runToExit(Map<String, String> env, Duration timeout) {
    List<String> cmd = List.of(Path.javaBin(), "-Dlogback.configurationFile=logback.xml", "-cp",
        System.getProperty("java.class.path"), "dev.atrium.Atrium");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("node did not exit within " + timeout + ": " + out);
      }
      return new Exit(p.exitValue(), out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** How a process ended. */
  public record Exit(int code, String output) {
  }

  public boolean logged(String text) {
    synchronized (output) {
      return output.stream().anyMatch(l -> l.contains(text));
    }
  }

  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  public Http http() {
    return new Http("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Sends SIGTERM and waits for the exit code. */
  public int terminate(Duration timeout) {
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("server did not stop within " + timeout);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private static final class Path {
    static String javaBin() {
      return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
  }
}
