package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PushMessageTest {
  @Test
  @DisplayName("a channel line splits into topic, user, id, origin, content key and head, which may itself contain bars")
  void parses() {
    PushMessage m = PushMessage.parse("notifications|u-1|42|node-a||{\"type\":\"event\",\"data\":{\"t\":\"a|b\"},\"id\":42}",
        Map.of());
    assertEquals(Topic.NOTIFICATIONS, m.topic());
    assertEquals("u-1", m.userId());
    assertEquals(42, m.id());
    assertEquals("node-a", m.origin());
    assertEquals("{\"type\":\"event\",\"data\":{\"t\":\"a|b\"},\"id\":42}", m.frame());
    PushMessage d = PushMessage.parse("dashboard||7|n||{}", Map.of());
    assertEquals(Topic.DASHBOARD, d.topic());
    assertEquals("", d.userId());
  }

  @Test
  @DisplayName("an event naming a shared content gets that very buffer as its tail")
  void sharedContent() {
    String[] c = PushMessage.content("C|k1|\"title\":\"x|y\"}}");
    assertEquals("k1", c[0]);
    Buffer tail = Buffer.buffer(c[1]);
    PushMessage a = PushMessage.parse("notifications|u1|1|n|k1|{\"id\":1,\"data\":{\"id\":\"a\",", Map.of("k1", tail));
    PushMessage b = PushMessage.parse("notifications|u2|9|n|k1|{\"id\":9,\"data\":{\"id\":\"b\",", Map.of("k1", tail));
    assertSame(a.sharedTail(), b.sharedTail());
    assertEquals("{\"id\":1,\"data\":{\"id\":\"a\",\"title\":\"x|y\"}}", a.frame());
    assertNull(PushMessage.parse("notifications|u1|1|n|missing|{", Map.of()));
  }

  @Test
  @DisplayName("lines that are not ours are ignored rather than failing the subscription")
  void rejectsGarbage() {
    assertNull(PushMessage.parse("hello", Map.of()));
    assertNull(PushMessage.parse("gossip|u|1|n||{}", Map.of()));
    assertNull(PushMessage.parse("files|u|x|n||{}", Map.of()));
  }
}
