package dev.atrium.files.storage;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that S3 upload parts may hold on this node ({@code ATRIUM_S3_UPLOAD_MEMORY}, by default
 * a quarter of the heap), shared by every upload and event loop. A part is held in memory only
 * when its whole size can be taken from here; otherwise it is spooled to a local file, so memory
 * stays bounded however many uploads run, and no upload ever waits for another to give memory
 * back. While parts are held, the blocks they are made of are kept for the next parts: a part
 * lives for seconds, so fresh blocks would be copied by every young collection and then promoted,
 * and a 1 GB upload caused a full collection every second on a small heap.
 */
final class PartBudget {
  /** One block: large writes to S3, few objects. */
  static final int BLOCK = 256 * 1024;

  private final long total;
  private final AtomicLong left;
  private final int maxFree;
  private final ConcurrentLinkedQueue<Buffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger freeCount = new AtomicInteger();

  PartBudget(long bytes) {
    this.total = bytes;
    this.left = new AtomicLong(bytes);
    this.maxFree = (int) Math.min(Integer.MAX_VALUE, bytes / BLOCK);
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

  /** Gives back a part's share; when no part is held any more, the kept blocks go too. */
  void giveBack(long bytes) {
    if (left.addAndGet(bytes) == total) {
      // idle: the heap is the rest of the node's again (a live set near -Xmx must not keep them)
      while (free.poll() != null) {
        freeCount.decrementAndGet();
      }
    }
  }

  /** A block of {@link #BLOCK} bytes (its length), kept from an earlier part when there is one. */
  Buffer block() {
    Buffer b = free.poll();
    if (b == null) {
      return Buffer.buffer(new byte[BLOCK]);
    }
    freeCount.decrementAndGet();
    return b;
  }

  /** Takes back blocks no request reads any more; beyond what the budget can hold, they are dropped. */
  void recycle(List<Buffer> blocks) {
    for (Buffer b : blocks) {
      if (freeCount.incrementAndGet() > maxFree) {
        freeCount.decrementAndGet();
        return;
      }
      free.add(b);
    }
  }
}
