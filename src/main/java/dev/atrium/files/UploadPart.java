package dev.atrium.files;

import dev.atrium.files.storage.ObjectSink;

/** What became of one part of an upload's field {@code files}. */
public sealed interface UploadPart {
  String filename();

  /**
   * Received whole into {@code sink} (not yet finished): the service finishes it at {@code key}
   * and commits the row, or aborts it.
   */
  record Received(String filename, String declaredType, String key, ObjectSink sink, long size, String sha256,
                  String contentType) implements UploadPart {
  }

  record Rejected(String filename, String code, String message) implements UploadPart {
  }
}
