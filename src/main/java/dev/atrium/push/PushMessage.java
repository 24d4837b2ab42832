package dev.atrium.push;

import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * One event as it travels on the Redis channel (one line of a batch):
 * {@code topic|user|id|origin|content|head}. The frame a socket receives is the head followed by
 * the shared content named by {@code content} (empty when none), which the same channel
 * message carries once as a {@code C|key|text} line: every recipient's frame shares those bytes.
 * {@code user} is empty for the dashboard; {@code origin} is the node that raised the event.
 */
public record PushMessage(Topic topic, String userId, long id, String origin, String head, Buffer sharedTail) {

  /** The whole frame as one string (for tests and logs; sockets write head and tail separately). */
  public String frame() {
    return sharedTail == null ? head : head + sharedTail.toString();
  }

  /** Parses an event line; {@code contents} holds the message's shared contents by key. Null when not ours. */
  public static PushMessage parse(String line, Map<String, Buffer> contents) {
    int[] bars = new int[5];
    int from = 0;
    for (int i = 0; i < 5; i++) {
      bars[i] = line.indexOf('|', from);
      if (bars[i] < 0) {
        return null;
      }
      from = bars[i] + 1;
    }
    Topic topic = Topic.of(line.substring(0, bars[0]));
    if (topic == null) {
      return null;
    }
    long id;
    try {
      id = Long.parseLong(line.substring(bars[1] + 1, bars[2]));
    } catch (NumberFormatException e) {
      return null;
    }
    String content = line.substring(bars[3] + 1, bars[4]);
    Buffer tail = content.isEmpty() ? null : contents.get(content);
    if (!content.isEmpty() && tail == null) {
      return null; // its content was not in the message: not a frame we can complete
    }
    return new PushMessage(topic, line.substring(bars[0] + 1, bars[1]), id, line.substring(bars[2] + 1, bars[3]),
        line.substring(bars[4] + 1), tail);
  }

  /** A {@code C|key|text} line's key and text, or null when the line is an event. */
  static String[] content(String line) {
    if (!line.startsWith("C|")) {
      return null;
    }
    int bar = line.indexOf('|', 2);
    return bar < 0 ? null : new String[] {line.substring(2, bar), line.substring(bar + 1)};
  }
}
