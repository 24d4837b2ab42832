package dev.atrium.push;

/**
 * The topics a socket can subscribe to. Per-user topics carry the user's sequence id and are
 * kept in the replay stream; the dashboard is one shared stream of snapshots that supersede
 * each other, so it is never replayed and may be dropped for a slow reader.
 */
public enum Topic {
  NOTIFICATIONS("notifications", true),
  FILES("files", true),
  DASHBOARD("dashboard", false);

  private final String wire;
  private final boolean perUser;

  Topic(String wire, boolean perUser) {
    this.wire = wire;
    this.perUser = perUser;
  }

  public String wire() {
    return wire;
  }

  public boolean perUser() {
    return perUser;
  }

  /** The topic with this wire name, or null. */
  public static Topic of(Object name) {
    if (name instanceof String s) {
      for (Topic t : values()) {
        if (t.wire.equals(s)) {
          return t;
        }
      }
    }
    return null;
  }
}
