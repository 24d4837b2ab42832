package dev.atrium.console;

import io.vertx.core.buffer.Buffer;

/**
 * One file of the console's production build, held in memory: its bytes, the gzip twin the
 * build wrote beside it (null when there is none), its media type and a strong validator. The
 * bytes are Buffers made once at load, and every response writes the same one: Vert.x sends a
 * view of a buffer and never consumes or changes it, so nothing is copied per request.
 */
record ConsoleAsset(Buffer raw, Buffer gzip, String contentType, String etag, boolean immutable) {
}
