package dev.atrium.console;

/**
 * One file of the console's production build, held in memory: its bytes, the gzip twin the
 * build wrote beside it (null when there is none), its media type and a strong validator.
 */
record ConsoleAsset(byte[] raw, byte[] gzip, String contentType, String etag, boolean immutable) {
}
