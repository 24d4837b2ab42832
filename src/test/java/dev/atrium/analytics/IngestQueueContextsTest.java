package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.db.Database;
import dev.atrium.support.TestServer;
import io.vertx.core.Context;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A commit answers each submission on the context that submitted it: the request's own
 * (duplicated) context on an event loop, and a worker's pool for a worker, although answers to
 * event-loop contexts are handed over one task per loop.
 */
class IngestQueueContextsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(); // for its database

  private final Vertx vertx = Vertx.vertx();
  private Pool pool;
  private Pool ingest;
  private IngestQueue queue;

  /** Where a submission's answer ran. */
  private record Answered(int stored, Context context, boolean workerThread) {
  }

  @BeforeEach
  void start() {
    AppConfig config = AppConfig.fromEnv(Map.of(
        "ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/" + server.database()));
    Database database = new Database(config);
    pool = database.createPool(vertx);
    ingest = database.createIngestPool(vertx, 1);
    queue = new IngestQueue(vertx, new ActivityRepository(pool, ingest), rows -> { }, 100, 1000, 1, null);
    queue.start(((VertxInternal) vertx).createEventLoopContext());
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("requests' contexts on two event loops and a worker's context each get their answer where they submitted")
  void answersRunWhereTheySubmitted() throws Exception {
    ContextInternal loop = ((VertxInternal) vertx).createEventLoopContext();
    ContextInternal request = loop.duplicate(); // as an HTTP request's context is
    ContextInternal other = ((VertxInternal) vertx).createEventLoopContext().duplicate();
    Context worker = ((VertxInternal) vertx).createContext(ThreadingModel.WORKER);

    List<CompletableFuture<Answered>> answers = List.of(submit(request), submit(other), submit(worker),
        submit(request.duplicate()));

    Answered onRequest = answers.get(0).get(10, TimeUnit.SECONDS);
    assertEquals(1, onRequest.stored());
    assertSame(request, onRequest.context());
    assertSame(other, answers.get(1).get(10, TimeUnit.SECONDS).context());
    Answered onWorker = answers.get(2).get(10, TimeUnit.SECONDS);
    assertSame(worker, onWorker.context());
    assertTrue(onWorker.workerThread(), "a worker's answer runs on its pool, not on an event loop");
    assertEquals(1, answers.get(3).get(10, TimeUnit.SECONDS).stored());
    assertEquals(4L, ((Number) server.sql("SELECT count(*) AS n FROM activities WHERE action = 'contexts'")
        .get(0).get("n")).longValue());
  }

  private CompletableFuture<Answered> submit(Context on) {
    UUID user = UUID.randomUUID(); // activities keep no foreign key to users (they outlive them)
    CompletableFuture<Answered> done = new CompletableFuture<>();
    on.runOnContext(v -> queue.submit(List.of(Activity.server(user, "contexts", Instant.now(), null, null, null)), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            done.completeExceptionally(ar.cause());
          } else {
            done.complete(new Answered(ar.result(), Vertx.currentContext(), Context.isOnWorkerThread()));
          }
        }));
    return done;
  }
}
