package dev.atrium.files.storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that S3 upload parts may hold on this node ({@code ATRIUM_S3_UPLOAD_MEMORY}, by default
 * a quarter of the heap), shared by every upload and event loop. A
 * part is held in memory only when its whole size can be taken from here; otherwise it is
 * spooled to a local file, so memory stays bounded however many uploads run, and no upload ever
 * waits for another to give memory back.
 */
final class PartBudget {
  private final AtomicLong left;

  PartBudget(long bytes) {
    this.left = new AtomicLong(bytes);
  }

  boolean tryTake(long bytes) {
    long now;
    do {
      now = left.get();
      if (now < bytes) {
        return false;
      }
    } while (!left.compareAndSet(now, now - bytes));
    return true;
  }

  void giveBack(long bytes) {
    left.addAndGet(bytes);
  }
}
