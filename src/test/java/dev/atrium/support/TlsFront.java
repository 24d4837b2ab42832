package dev.atrium.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.ServerSSLOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A TLS front for one of the machine's servers, which have TLS off: it completes the handshake
 * with a self-signed certificate for "localhost" (no IP address in it) and relays the session in
 * clear to the server on 127.0.0.1. {@link #postgres()} negotiates as PostgreSQL does (an
 * SSLRequest answered 'S') and cuts off a session that starts in clear, as a server whose
 * pg_hba.conf has only hostssl lines; {@link #redis()} speaks TLS from the first byte.
 */
public final class TlsFront implements AfterAllCallback {
  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;

  private final Vertx vertx = Vertx.vertx();
  private final SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
  private final AtomicInteger tlsSessions = new AtomicInteger();
  private final AtomicInteger plainRefused = new AtomicInteger();
  private final int target;
  private final NetServer server;

  /** Listening once built, so that a node's settings can name its port; stopped after the class's tests. */
  private TlsFront(int target, boolean negotiated) {
    this.target = target;
    this.server = negotiated
        ? vertx.createNetServer().connectHandler(this::negotiate)
        : vertx.createNetServer(new NetServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions()))
            .connectHandler(client -> relay(client, Buffer.buffer()));
    await(server.listen(0, "127.0.0.1"));
  }

  public static TlsFront postgres() {
    return new TlsFront(5432, true);
  }

  public static TlsFront redis() {
    return new TlsFront(6379, false);
  }

  public int port() {
    return server.actualPort();
  }

  /** The PEM of the front's certificate: the root to trust for it. */
  public String certificatePath() {
    return certificate.certificatePath();
  }

  /** Sessions relayed to the server after a TLS handshake. */
  public int tlsSessions() {
    return tlsSessions.get();
  }

  /** PostgreSQL sessions that started in clear and were cut off. */
  public int plainRefused() {
    return plainRefused.get();
  }

  private void negotiate(NetSocket client) {
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
        Buffer early = Buffer.buffer(); // what the client says, decrypted, before the server is connected
        client.handler(early::appendBuffer);
        // the 'S' goes out as part of the upgrade: the TLS handler must be in place before the
        // client's hello can be read, or the hello is taken for session bytes
        client.upgradeToSsl(new ServerSSLOptions().setKeyCertOptions(certificate.keyCertOptions()), Buffer.buffer("S"))
            .onSuccess(v -> relay(client, early))
            .onFailure(t -> client.close());
      } else {
        plainRefused.incrementAndGet();
        client.close();
      }
    });
  }

  /** Connects to the server and relays both ways, {@code early} (bytes the client sent already) first. */
  private void relay(NetSocket client, Buffer early) {
    client.handler(early::appendBuffer);
    vertx.createNetClient().connect(target, "127.0.0.1")
        .onSuccess(server -> {
          tlsSessions.incrementAndGet();
          server.write(early);
          client.pipeTo(server);
          server.pipeTo(client);
        })
        .onFailure(t -> client.close());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    await(vertx.close());
    certificate.delete();
  }

  private static void await(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
