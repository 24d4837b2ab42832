package dev.atrium.platform;

import dev.atrium.config.AppConfig;
import dev.atrium.db.RedisKeys;
import dev.atrium.db.RedisSubscriber;
import dev.atrium.exports.Exports;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

/**
 * The shared clients of one node, handed to every domain module's constructor. PostgreSQL is
 * reached two ways, each for its own kind of work: {@code statements}, the pipelined client,
 * for the short single statements that request paths run most (a page of users, a caller's
 * access); {@code pool} for transactions, streamed reads, and statements that may run long
 * (which would hold up the statements queued behind them on a pipelined connection); and
 * {@code ingest}, the group commit's own connections (analytics), so that neither waits for the
 * other.
 */
public record Platform(
    AppConfig config,
    Vertx vertx,
    Pool pool,
    SqlClient statements,
    Pool ingest,
    Redis redis,
    RedisAPI redisApi,
    RedisKeys keys,
    RedisSubscriber subscriber,
    MeterRegistry registry,
    String nodeId,
    Exports exports) {
}
