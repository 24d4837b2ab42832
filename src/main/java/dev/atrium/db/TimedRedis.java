package dev.atrium.db;

import dev.atrium.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node's Redis client with a deadline on every call ({@code ATRIUM_REDIS_TIMEOUT}): a Redis
 * that accepts connections but never answers fails requests with {@link DependencyUnavailable}
 * (503) instead of hanging them. Redis error replies (WRONGTYPE, script errors) pass through
 * as they are. Dedicated connections (pub/sub) are pinged every timeout period; one that stops
 * answering is closed and its end handler called, so its owner reconnects.
 */
public final class TimedRedis implements Redis {
  private final Vertx vertx;
  private final Redis delegate;
  private final long timeoutMs;

  public TimedRedis(Vertx vertx, Redis delegate, Duration timeout) {
    this.vertx = vertx;
    this.delegate = delegate;
    this.timeoutMs = timeout.toMillis();
  }

  /** The node's client: ATRIUM_REDIS_URL (rediss:// for TLS), its pool, and the deadline on every call. */
  public static Redis create(Vertx vertx, AppConfig config) {
    return new TimedRedis(vertx, Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl())
        .setMaxPoolSize(16).setMaxPoolWaiting(4096).setPoolName("atrium-redis")
        .setNetClientOptions(netOptions(config.redisTimeout(), config.redisCaFile()))), config.redisTimeout());
  }

  /**
   * A connection that hears nothing for five timeouts is closed: a half-open connection (a peer
   * gone without a reset) would otherwise stay in the pool and time out every command sent on
   * it. Dedicated connections hear their keep-alive pong; idle pooled ones are simply reopened.
   */
  static NetClientOptions netOptions(Duration timeout, Optional<Path> caFile) {
    int idleSeconds = (int) Math.max(1, timeout.toMillis() * 5 / 1000);
    NetClientOptions options = new NetClientOptions().setTcpKeepAlive(true).setTcpNoDelay(true)
        .setReadIdleTimeout(idleSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setConnectTimeout((int) timeout.toMillis())
        // for rediss://: the certificate must name the host dialled (vertx-redis refuses TLS
        // until an algorithm is named; the net client's default checks the chain only)
        .setHostnameVerificationAlgorithm("HTTPS");
    caFile.ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return options;
  }

  @Override
  public Future<RedisConnection> connect() {
    Future<RedisConnection> connecting = delegate.connect();
    return timed(connecting).recover(failure -> {
      connecting.onSuccess(RedisConnection::close); // arrived too late: nobody will use it
      return Future.failedFuture(failure);
    }).map(Connection::new);
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  @Override
  public Future<Response> send(Request command) {
    return timed(delegate.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return timed(delegate.batch(commands));
  }

  /** The call's result within the deadline; transport failures become {@link DependencyUnavailable}. */
  private <T> Future<T> timed(Future<T> call) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(failure -> Future.failedFuture(
        isReply(failure) ? failure : new DependencyUnavailable("Redis", failure)));
  }

  /** An error reply from Redis (a script or type error) is an answer, not an outage. */
  private static boolean isReply(Throwable failure) {
    return failure instanceof Response reply && reply.type() == ResponseType.ERROR;
  }

  /** A dedicated connection: deadlines on its commands and a keep-alive ping. */
  private final class Connection implements RedisConnection {
    private final RedisConnection conn;
    private final long pinger;
    private Handler<Void> endHandler;
    private boolean ended;

    Connection(RedisConnection conn) {
      this.conn = conn;
      this.pinger = vertx.setPeriodic(timeoutMs, timeoutMs, id -> ping());
      conn.endHandler(v -> end());
    }

    private void ping() {
      if (!ended) {
        send(Request.cmd(Command.PING)).onFailure(e -> {
          conn.close();
          end();
        });
      }
    }

    private void end() {
      if (!ended) {
        ended = true;
        vertx.cancelTimer(pinger);
        if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    }

    @Override
    public RedisConnection exceptionHandler(Handler<Throwable> handler) {
      conn.exceptionHandler(handler);
      return this;
    }

    @Override
    public RedisConnection handler(Handler<Response> handler) {
      conn.handler(handler);
      return this;
    }

    @Override
    public RedisConnection pause() {
      conn.pause();
      return this;
    }

    @Override
    public RedisConnection resume() {
      conn.resume();
      return this;
    }

    @Override
    public RedisConnection fetch(long amount) {
      conn.fetch(amount);
      return this;
    }

    @Override
    public RedisConnection endHandler(Handler<Void> handler) {
      this.endHandler = handler;
      return this;
    }

    // The same two lines as the client's send/batch above: Redis and RedisConnection are separate
    // interfaces, and a dedicated connection's commands need the same deadline.
    @Override
    public Future<Response> send(Request command) {
      return timed(conn.send(command));
    }

    @Override
    public Future<List<Response>> batch(List<Request> commands) {
      return timed(conn.batch(commands));
    }

    @Override
    public Future<Void> close() {
      ended = true; // closed by its owner: no end callback, no more pings
      vertx.cancelTimer(pinger);
      return conn.close();
    }

    @Override
    public boolean pendingQueueFull() {
      return conn.pendingQueueFull();
    }
  }
}
