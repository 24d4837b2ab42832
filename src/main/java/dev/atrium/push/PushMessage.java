package dev.atrium.push;

/**
 * One event as it travels on the Redis channel (one line of a batch): {@code topic|user|id|origin|frame}. The frame
 * is the finished JSON text a socket receives, so a node forwards it without re-encoding; the
 * header fields route it. {@code user} is empty for the dashboard; {@code origin} is the node
 * that raised the event.
 */
public record PushMessage(Topic topic, String userId, long id, String origin, String frame) {

  /** Parses a channel message; null when it is not one of ours. */
  public static PushMessage parse(String payload) {
    int a = payload.indexOf('|');
    int b = a < 0 ? -1 : payload.indexOf('|', a + 1);
    int c = b < 0 ? -1 : payload.indexOf('|', b + 1);
    int d = c < 0 ? -1 : payload.indexOf('|', c + 1);
    if (d < 0) {
      return null;
    }
    Topic topic = Topic.of(payload.substring(0, a));
    if (topic == null) {
      return null;
    }
    long id;
    try {
      id = Long.parseLong(payload.substring(b + 1, c));
    } catch (NumberFormatException e) {
      return null;
    }
    return new PushMessage(topic, payload.substring(a + 1, b), id, payload.substring(c + 1, d),
        payload.substring(d + 1));
  }
}
