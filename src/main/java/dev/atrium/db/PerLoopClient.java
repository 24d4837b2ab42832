package dev.atrium.db;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A client of clients, one per Vert.x event loop: each statement goes out through the client of
 * the caller's event loop, whose connections live on that loop.
 *
 * <p>Why not one pool: a pool opens a connection on the loop of the caller that needs one and,
 * once full, lends any connection to any loop. The first burst on one event loop could open
 * every connection there; every statement from the other loops then crossed threads both ways,
 * and one loop decoded all the answers while the other waited (users page 1 at 8-10 % fewer
 * requests a second, with a tenth of the machine idle, on the nodes that started that way;
 * bench/README.md). Bounded: one client per event loop, each with its own connection limit.
 */
final class PerLoopClient implements SqlClient {
  private final Vertx vertx;
  private final Supplier<SqlClient> newClient;
  private final Map<EventLoop, SqlClient> clients = new ConcurrentHashMap<>();

  PerLoopClient(Vertx vertx, Supplier<SqlClient> newClient) {
    this.vertx = vertx;
    this.newClient = newClient;
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return client().query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return client().preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return client().preparedQuery(sql, options);
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = clients.values().stream().map(SqlClient::close).toList();
    return Future.join(closing).mapEmpty();
  }

  /** The caller's loop's client (a worker's context belongs to a loop too). */
  private SqlClient client() {
    EventLoop loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
    SqlClient client = clients.get(loop);
    return client != null ? client : clients.computeIfAbsent(loop, l -> newClient.get());
  }
}
