package dev.atrium.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.ServerSSLOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TLS front for the machine's PostgreSQL, which has TLS off: it answers a client's SSLRequest
 * with 'S', completes the handshake with a self-signed certificate for "localhost" (no IP
 * address in it), and relays the session in clear to 127.0.0.1:5432. A client that starts its
 * session in clear is cut off, as by a server whose pg_hba.conf has only hostssl lines.
 */
public final class PgTlsFront implements AutoCloseable {
  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;

  private final Vertx vertx = Vertx.vertx();
  private final SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
  private final AtomicInteger tlsSessions = new AtomicInteger();
  private final AtomicInteger plainRefused = new AtomicInteger();
  private final NetServer server;

  public PgTlsFront() throws Exception {
    server = vertx.createNetServer().connectHandler(this::accept);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  /** The PEM of the front's certificate: the root to trust for it. */
  public String certificatePath() {
    return certificate.certificatePath();
  }

  /** Sessions relayed to PostgreSQL after a TLS handshake. */
  public int tlsSessions() {
    return tlsSessions.get();
  }

  /** Sessions that started in clear and were cut off. */
  public int plainRefused() {
    return plainRefused.get();
  }

  private void accept(NetSocket client) {
    AtomicReference<Buffer> head = new AtomicReference<>(Buffer.buffer());
    client.handler(bytes -> {
      Buffer got = head.get().appendBuffer(bytes);
      if (got.length() < 8) {
        return;
      }
      int code = got.getInt(4);
      head.set(got.getBuffer(8, got.length())); // a client waits for the answer before it says more
      if (code == GSSENC_REQUEST) {
        client.write(Buffer.buffer("N"));
      } else if (code == SSL_REQUEST) {
        Buffer early = Buffer.buffer(); // what the client says, decrypted, before PostgreSQL is connected
        client.handler(early::appendBuffer);
        // in the same task as the write: the TLS handler must be in place before the client's
        // hello can be read, or the hello is taken for session bytes
        client.write(Buffer.buffer("S"));
        client.upgradeToSsl(new ServerSSLOptions().setKeyCertOptions(certificate.keyCertOptions()))
            .compose(v -> vertx.createNetClient().connect(5432, "127.0.0.1"))
            .onSuccess(pg -> {
              pg.write(early);
              relay(client, pg);
            })
            .onFailure(t -> client.close());
      } else {
        plainRefused.incrementAndGet();
        client.close();
      }
    });
  }

  private void relay(NetSocket client, NetSocket pg) {
    tlsSessions.incrementAndGet();
    client.pipeTo(pg);
    pg.pipeTo(client);
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    certificate.delete();
  }
}
