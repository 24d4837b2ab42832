package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A list page is written into a block of Netty's pool, which Vert.x sends without releasing it;
 * StreamedJson gives it back once the write is done or has failed. Netty's leak detector, set to
 * track every buffer, reports a block that is dropped without being given back.
 */
class StreamedJsonTest {
  static final String DETECTOR = ResourceLeakDetector.class.getName();
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static final ListAppender<ILoggingEvent> leaks = new ListAppender<>();
  static ResourceLeakDetector.Level level;

  @BeforeAll
  static void trackEveryBuffer() {
    level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    Logger logger = (Logger) LoggerFactory.getLogger(DETECTOR);
    logger.setLevel(Level.ERROR);
    leaks.start();
    logger.addAppender(leaks);
  }

  @AfterAll
  static void restore() {
    ResourceLeakDetector.setLevel(level);
    Logger logger = (Logger) LoggerFactory.getLogger(DETECTOR);
    logger.detachAppender(leaks);
    logger.setLevel(null);
  }

  @Test
  @DisplayName("every users page gives its pooled buffer back, whether the client read it or left")
  void pagesGiveTheirBuffersBack() throws Exception {
    Accounts.Login admin = Accounts.admin(server);
    for (int i = 0; i < 200; i++) {
      assertEquals(200, admin.http(server).get("/api/users?page=1&page_size=100").status());
    }
    for (int i = 0; i < 20; i++) {
      try (Socket gone = new Socket()) {
        gone.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        OutputStream out = gone.getOutputStream();
        out.write(("GET /api/users?page=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin.access()
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }

    // A buffer leaked on purpose, after the pages: once the detector has reported it, the pages'
    // buffers (garbage before it) have been through the same collections and checks.
    ByteBuf canary = PooledByteBufAllocator.DEFAULT.directBuffer(16);
    canary.touch("leak-canary");
    canary = null;
    Poll.until(Duration.ofSeconds(20), "the detector reports the canary", () -> {
      System.gc();
      admin.http(server).get("/api/users?page=1"); // allocations are when the detector looks
      return reports("leak-canary").size() > 0;
    });
    System.gc();
    admin.http(server).get("/api/users?page=1");
    assertEquals(List.of(), reports("(StreamedJson.java:"));
  }

  static List<String> reports(String containing) {
    synchronized (leaks) {
      return leaks.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
    }
  }
}
