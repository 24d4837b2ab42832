package dev.atrium;

import dev.atrium.config.AppConfig;
import dev.atrium.config.ConfigException;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Entry point: read the configuration, start one node, stop it cleanly on SIGTERM or SIGINT. */
public final class Atrium {
  static {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
  }

  private static final Logger LOG = LoggerFactory.getLogger(Atrium.class);

  private Atrium() {
  }

  public static void main(String[] args) {
    AppConfig config;
    try {
      config = AppConfig.fromEnv(System.getenv());
    } catch (ConfigException e) {
      System.err.println("atrium: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Application app = new Application(config);
    // Replaces the JVM's default handlers so that a stop drains requests and exits 0, not 143.
    Signal.handle(new Signal("TERM"), s -> stopAndExit(app));
    Signal.handle(new Signal("INT"), s -> stopAndExit(app));
    try {
      Future<Void> started = app.start();
      // No deadline on the migrations: a long one (a backfill of millions of rows) cut off here
      // would roll back and start over at every restart, never to finish.
      app.migrated().await();
      started.await(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.error("Atrium failed to start: not ready within ATRIUM_START_TIMEOUT ({} ms) after the migrations",
          config.startTimeout().toMillis());
      flushLogs();
      System.exit(1);
    } catch (Exception e) {
      LOG.error("Atrium failed to start: {}", e.getMessage(), e);
      flushLogs();
      System.exit(1);
    }
  }

  private static void stopAndExit(Application app) {
    LOG.info("Stopping: finishing requests in flight");
    int code = 0;
    try {
      app.stop().await(app.config().shutdownGrace().toSeconds() + 10, TimeUnit.SECONDS);
      LOG.info("Stopped");
    } catch (Exception e) {
      LOG.error("Unclean stop: {}", e.getMessage());
      code = 1;
    }
    flushLogs();
    System.exit(code);
  }

  /**
   * Lines still queued in the asynchronous appender would be lost by System.exit, and the last
   * ones ("Stopped", the start-up failure) are the ones an operator needs: stopping the logging
   * context drains the queue first.
   */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }
}
