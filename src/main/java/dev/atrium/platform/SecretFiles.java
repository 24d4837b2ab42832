package dev.atrium.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/**
 * Keys that a node generates into the shared data directory on first start (token signing,
 * link signing). Blocking file I/O: start-up only.
 */
public final class SecretFiles {
  private SecretFiles() {
  }

  /**
   * The file's text; when it does not exist yet, {@code generate}'s text is written to it,
   * readable by the owner only. Nodes starting together on one data directory all end up with
   * the text of whichever wrote first: the file is linked into place, which, unlike a rename,
   * never replaces an existing one.
   */
  public static String readOrCreate(Path file, Supplier<String> generate) throws IOException {
    if (!Files.exists(file)) {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try {
        Files.writeString(tmp, generate.get(), StandardCharsets.US_ASCII);
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // the data directory's own permissions apply
        }
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raced) {
        // another node wrote it first: use theirs
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return Files.readString(file, StandardCharsets.US_ASCII);
  }
}
