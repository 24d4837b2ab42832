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

/** The shared clients of one node, handed to every domain module's constructor. */
public record Platform(
    AppConfig config,
    Vertx vertx,
    Pool pool,
    Redis redis,
    RedisAPI redisApi,
    RedisKeys keys,
    RedisSubscriber subscriber,
    MeterRegistry registry,
    String nodeId,
    Exports exports) {
}
