package dev.atrium.files;

import java.util.UUID;

/**
 * Names of stored objects. Keys are generated here, never taken from clients: a file's bytes
 * are at {@code ab/cd/<uuid>} (two levels of 256 folders keep directories small at millions of
 * files) and its thumbnail beside it at {@code ab/cd/<uuid>.thumb.png}.
 */
public final class FileStore {
  private FileStore() {
  }

  public static String storageKey(UUID id) {
    String s = id.toString();
    return s.substring(0, 2) + "/" + s.substring(2, 4) + "/" + s;
  }

  public static String thumbnailKey(String storageKey) {
    return storageKey + ".thumb.png";
  }
}
