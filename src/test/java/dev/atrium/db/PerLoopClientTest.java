package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.support.TestServer;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PerLoopClientTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(); // for its database

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a burst on one event loop does not take the pipelined connections of another:"
      + " each loop's statements go out on backends of its own")
  void eachEventLoopKeepsItsOwnConnections() throws Exception {
    AppConfig config = AppConfig.fromEnv(Map.of(
        "ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + server.database(),
        "ATRIUM_DB_PIPELINED_CONNECTIONS", "2"));
    SqlClient client = new Database(config).createPipelinedClient(vertx);
    Iterator<?> loops = ((VertxInternal) vertx).nettyEventLoopGroup().iterator();
    Context first = context((EventLoop) loops.next());
    Context second = context((EventLoop) loops.next());
    assertNotSame(((ContextInternal) first).nettyEventLoop(), ((ContextInternal) second).nettyEventLoop());

    // the burst opens both connections the setting allows, on the first loop
    Set<Integer> firstBackends = backends(client, first, 40);
    Set<Integer> secondBackends = backends(client, second, 40);

    assertTrue(firstBackends.size() <= 2, "first loop's backends: " + firstBackends);
    assertTrue(secondBackends.size() <= 2, "second loop's backends: " + secondBackends);
    Set<Integer> shared = new HashSet<>(firstBackends);
    shared.retainAll(secondBackends);
    assertTrue(shared.isEmpty(), "backends used by both loops: " + shared);
    assertFalse(secondBackends.isEmpty());
    Set<Integer> again = backends(client, first, 10);
    assertTrue(firstBackends.containsAll(again), "the first loop keeps to its own: " + again + " of " + firstBackends);
  }

  private Context context(EventLoop loop) {
    return ((VertxInternal) vertx).contextBuilder().withEventLoop(loop).build();
  }

  /** The backends that answered {@code n} statements sent at once from {@code context}. */
  private static Set<Integer> backends(SqlClient client, Context context, int n) throws Exception {
    CompletableFuture<Set<Integer>> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      List<Future<Integer>> pids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        pids.add(client.preparedQuery("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)").execute()
            .map(rows -> rows.iterator().next().getInteger("pid")));
      }
      Future.all(pids).onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
          return;
        }
        Set<Integer> seen = new HashSet<>();
        pids.forEach(f -> seen.add(f.result()));
        done.complete(seen);
      });
    });
    return done.get(20, TimeUnit.SECONDS);
  }
}
