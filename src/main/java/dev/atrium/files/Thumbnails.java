package dev.atrium.files;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads an image's dimensions from its header and writes a PNG thumbnail. Blocking and
 * CPU-heavy: runs only on {@link FilesVerticle}'s worker thread. Images over
 * {@link #MAX_PIXELS} are refused from the header alone, before any pixel is decoded
 * (decompression bombs); the rest are decoded subsampled, so memory stays near the
 * thumbnail's size, not the image's.
 */
final class Thumbnails {
  static final long MAX_PIXELS = 50_000_000L;
  static final int SIZE = 256;

  /** What processing found; {@code error} is set when the status is failed. */
  record Result(boolean ok, Integer width, Integer height, boolean thumbnail, String error) {
  }

  private Thumbnails() {
  }

  static Result make(Path source, Path target) {
    try (ImageInputStream in = ImageIO.createImageInputStream(source.toFile())) {
      if (in == null) {
        return new Result(false, null, null, false, "unreadable_image");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return new Result(false, null, null, false, "unreadable_image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          return new Result(false, null, null, false, "unreadable_image");
        }
        if ((long) w * h > MAX_PIXELS) {
          return new Result(false, w, h, false, "image_too_large");
        }
        ImageReadParam param = reader.getDefaultReadParam();
        int step = Math.max(1, Math.max(w, h) / (SIZE * 2)); // decode at 512..1023 px, then scale smoothly
        param.setSourceSubsampling(step, step, 0, 0);
        BufferedImage decoded = reader.read(0, param);
        write(scale(decoded), target);
        return new Result(true, w, h, true, null);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return new Result(false, null, null, false, "unreadable_image");
    }
  }

  private static BufferedImage scale(BufferedImage src) {
    int w = src.getWidth();
    int h = src.getHeight();
    double factor = Math.min(1.0, (double) SIZE / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * factor));
    int th = Math.max(1, (int) Math.round(h * factor));
    BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, tw, th, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Written to a fresh private file, which the caller then moves into the store. */
  private static void write(BufferedImage img, Path target) throws IOException {
    if (!ImageIO.write(img, "png", target.toFile())) {
      throw new IOException("no PNG writer");
    }
  }
}
