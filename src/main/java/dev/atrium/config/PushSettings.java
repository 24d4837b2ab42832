package dev.atrium.config;

import java.time.Duration;

/**
 * WebSocket push timings and the replay window. {@code authTimeout}: how long a socket may stay
 * unauthenticated; {@code pingInterval}/{@code pongTimeout}: liveness; {@code replayEvents} and
 * {@code replayTtl}: how many of a user's events are kept for {@code since} (the whole stream
 * expires {@code replayTtl} after its last event); {@code maxPerUser}: sockets one user may hold
 * open on a node (the oldest is closed beyond it); {@code framesPerSecond}: inbound frames a
 * socket may send per second, with bursts of as many.
 */
public record PushSettings(Duration authTimeout, Duration pingInterval, Duration pongTimeout, int replayEvents,
                           Duration replayTtl, int maxPerUser, int framesPerSecond) {
}
