package dev.atrium.push;

/**
 * The inbound frame-rate limit of one socket: a token bucket holding {@code perSecond} frames,
 * refilled at {@code perSecond} per second. The protocol needs a handful of frames per session
 * (auth, a few subscribes, pings), so a client beyond it is misbehaving. Event-loop only.
 */
final class InboundRate {
  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last = -1;

  InboundRate(int perSecond) {
    this.perNano = perSecond / 1e9;
    this.capacity = perSecond;
    this.tokens = perSecond;
  }

  /** Takes one frame's token at time {@code now} (nanoseconds); false when none is left. */
  boolean admit(long now) {
    if (last >= 0) {
      tokens = Math.min(capacity, tokens + (now - last) * perNano);
    }
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
