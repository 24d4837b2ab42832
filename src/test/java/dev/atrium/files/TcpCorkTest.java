package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cork is on exactly while a send runs, whatever way it ends. */
class TcpCorkTest {
  private EventLoopGroup loop;
  private EpollSocketChannel socket;

  @BeforeEach
  void open() throws InterruptedException {
    assumeTrue(Epoll.isAvailable(), "epoll transport unavailable here");
    loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    socket = new EpollSocketChannel();
    loop.register(socket).sync();
  }

  @AfterEach
  void close() throws InterruptedException {
    if (loop != null) {
      socket.close().sync();
      loop.shutdownGracefully().sync();
    }
  }

  @Test
  @DisplayName("corked while the send runs, uncorked once it succeeds")
  void uncorksAfterSuccess() {
    Promise<Void> send = Promise.promise();
    AtomicBoolean corkedDuring = new AtomicBoolean();
    Future<Void> sent = TcpCork.around(socket, () -> {
      corkedDuring.set(socket.config().isTcpCork());
      return send.future();
    });
    assertTrue(corkedDuring.get());
    assertTrue(socket.config().isTcpCork());
    send.complete();
    assertTrue(sent.succeeded());
    assertFalse(socket.config().isTcpCork());
  }

  @Test
  @DisplayName("uncorked when the send fails, or throws before it starts")
  void uncorksAfterFailure() {
    Promise<Void> send = Promise.promise();
    Future<Void> sent = TcpCork.around(socket, send::future);
    send.fail(new IllegalStateException("client gone"));
    assertEquals("client gone", sent.cause().getMessage());
    assertFalse(socket.config().isTcpCork());

    assertThrows(IllegalStateException.class, () -> TcpCork.around(socket, () -> {
      throw new IllegalStateException("no such object");
    }));
    assertFalse(socket.config().isTcpCork());
  }

  @Test
  @DisplayName("a closed socket or one that cannot be corked still sends")
  void sendsUncorkedWhenItCannotCork() {
    socket.close().syncUninterruptibly();
    assertTrue(TcpCork.around(socket, Future::succeededFuture).succeeded());
    EmbeddedChannel other = new EmbeddedChannel();
    assertTrue(TcpCork.around(other, Future::succeededFuture).succeeded());
    assertTrue(TcpCork.around((io.netty.channel.Channel) null, Future::succeededFuture).succeeded());
    other.close();
  }
}
