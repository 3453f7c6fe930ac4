package io.loadgen.server.image;

import io.loadgen.server.image.TensorFlowImageDecoder.Header;
import io.loadgen.server.model.Preprocessing;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Measurement prototype (test tree only): {@link ImagePreprocessor} with a cheaper ImageIO read. The reader is asked
 * for the centre crop only ({@code setSourceRegion}) and every {@code p}-th pixel of it ({@code setSourceSubsampling},
 * {@code p} the largest period that still covers the target), into a per-thread {@code BufferedImage} reused while
 * the size and type stay the same; then the same bilinear draw and conversion. libjpeg still decodes every MCU
 * (ImageIO's JPEG reader has no DCT scaling): subsampling saves the colour conversion and copy of the skipped pixels
 * and the draw's larger source, not the entropy decoding or IDCT.
 */
final class SubsamplingImageIoPreprocessor {
    static {
        ImageIO.setUseCache(false);
    }

    private final Preprocessing spec;
    private final long maxPixels;
    private final ThreadLocal<BufferedImage[]> cache = ThreadLocal.withInitial(() -> new BufferedImage[1]);

    SubsamplingImageIoPreprocessor(Preprocessing spec, long maxPixels) {
        this.spec = spec;
        this.maxPixels = maxPixels;
    }

    float[] preprocess(byte[] bytes) throws BadImageException {
        Header h = ImageHeaders.read(bytes);
        if ((long) h.width() * h.height() > maxPixels) {
            throw new BadImageException("the image is " + h.width() + "x" + h.height() + " pixels, more than the "
                    + maxPixels + " allowed");
        }
        ImageHeaders.requireWhole(bytes, h);
        int tw = spec.width();
        int th = spec.height();
        int[] crop = TensorFlowImageDecoder.crop(h.width(), h.height(), tw, th);
        int period = Math.max(1, Math.min(crop[2] / tw, crop[3] / th));
        BufferedImage src;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(h.format());
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceRegion(new Rectangle(crop[0], crop[1], crop[2], crop[3]));
                param.setSourceSubsampling(period, period, 0, 0);
                int dw = (crop[2] + period - 1) / period;
                int dh = (crop[3] + period - 1) / period;
                ImageTypeSpecifier type = reader.getImageTypes(0).next();
                BufferedImage[] slot = cache.get();
                BufferedImage dest = slot[0];
                if (dest == null || dest.getWidth() != dw || dest.getHeight() != dh
                        || !new ImageTypeSpecifier(dest).equals(type)) {
                    dest = type.createBufferedImage(dw, dh);
                    slot[0] = dest;
                }
                param.setDestination(dest);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                src = reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new BadImageException("the " + h.format() + " image is corrupt or truncated: "
                            + warnings.get(0));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new BadImageException("the image cannot be decoded: " + e.getMessage());
        }
        return toInput(src, src.getWidth(), src.getHeight());
    }

    /** {@link ImagePreprocessor}'s draw and conversion, of the whole (already cropped) source. */
    private float[] toInput(BufferedImage img, int w, int h) {
        int th = spec.height();
        int tw = spec.width();
        BufferedImage canvas = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, tw, th, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return ImagePreprocessor.values(canvas.getRGB(0, 0, tw, th, null, 0, tw), spec);
    }
}
