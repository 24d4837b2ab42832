package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PushMessageTest {
  @Test
  @DisplayName("a channel line splits into topic, user, id, origin and the frame, which may itself contain bars")
  void parses() {
    PushMessage m = PushMessage.parse("notifications|u-1|42|node-a|{\"type\":\"event\",\"data\":{\"t\":\"a|b\"},\"id\":42}");
    assertEquals(Topic.NOTIFICATIONS, m.topic());
    assertEquals("u-1", m.userId());
    assertEquals(42, m.id());
    assertEquals("node-a", m.origin());
    assertEquals("{\"type\":\"event\",\"data\":{\"t\":\"a|b\"},\"id\":42}", m.frame());
    PushMessage d = PushMessage.parse("dashboard||7|n|{}");
    assertEquals(Topic.DASHBOARD, d.topic());
    assertEquals("", d.userId());
  }

  @Test
  @DisplayName("lines that are not ours are ignored rather than failing the subscription")
  void rejectsGarbage() {
    assertNull(PushMessage.parse("hello"));
    assertNull(PushMessage.parse("gossip|u|1|n|{}"));
    assertNull(PushMessage.parse("files|u|x|n|{}"));
  }
}
