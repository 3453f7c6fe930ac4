package io.loadgen.server.image;

import io.loadgen.server.model.Preprocessing;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns JPEG or PNG bytes into model input as a {@link Preprocessing} says: decode, resize so that the shorter side
 * fits, centre-crop, convert to grey or RGB, scale. The image's dimensions are read from its header first, and an
 * image of more than {@code maxPixels} is refused before any decoding. A decoder warning (a truncated or corrupt
 * JPEG) is an error, not a grey-filled image. Thread-safe; runs on the HTTP threads, not on the model workers.
 */
public final class ImagePreprocessor implements ImageDecoder {
    private static final Set<String> FORMATS = Set.of("jpeg", "png");

    static {
        ImageIO.setUseCache(false);
    }

    private final Preprocessing spec;
    private final long maxPixels;

    /**
     * @param spec the model's preprocessing
     * @param maxPixels largest width x height accepted, {@code >= 1}
     */
    public ImagePreprocessor(Preprocessing spec, long maxPixels) {
        this.spec = spec;
        this.maxPixels = maxPixels;
    }

    @Override
    public Preprocessing spec() {
        return spec;
    }

    /**
     * @param bytes a JPEG or PNG file
     * @return {@code spec.valuesPerImage()} values in HWC order
     * @throws BadImageException when the bytes are empty, not a JPEG or PNG, too large, truncated or corrupt
     */
    @Override
    public float[] preprocess(byte[] bytes) throws BadImageException {
        return toInput(decode(bytes));
    }

    /**
     * Decodes once and preprocesses each region's crop as if it were the whole image.
     *
     * @param bytes a JPEG or PNG file
     * @param regions crops to take, each wholly inside the image
     * @return one input per region, in order, each {@code spec.valuesPerImage()} values in HWC order
     * @throws Region.OutsideImageException when a region reaches outside the image
     * @throws BadImageException when the bytes are not a usable image (as {@link #preprocess})
     */
    @Override
    public List<float[]> preprocessRegions(byte[] bytes, List<Region> regions) throws BadImageException {
        BufferedImage img = decode(bytes);
        for (Region r : regions) {
            r.checkInside(img.getWidth(), img.getHeight());
        }
        List<float[]> out = new ArrayList<>(regions.size());
        for (Region r : regions) {
            out.add(toInput(img.getSubimage(r.x(), r.y(), r.width(), r.height())));
        }
        return out;
    }

    /** Decodes, refusing what is not a whole JPEG or PNG of at most maxPixels. */
    BufferedImage decode(byte[] bytes) throws BadImageException {
        if (bytes == null || bytes.length == 0) {
            throw new BadImageException("the request body is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException("the body is not a JPEG or PNG image");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!FORMATS.contains(format)) {
                    throw new BadImageException("unsupported image format " + format + ": send JPEG or PNG");
                }
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new BadImageException("the image has no pixels (" + w + "x" + h + ")");
                }
                if (w * h > maxPixels) {
                    throw new BadImageException("the image is " + w + "x" + h + " pixels, more than the " + maxPixels
                            + " allowed");
                }
                if (format.equals("jpeg") && !endsWithEoi(bytes)) {
                    // ImageIO fills a truncated JPEG with grey and does not always warn: require the end marker.
                    throw new BadImageException("the jpeg image is truncated: no end-of-image marker");
                }
                if (format.equals("png") && !endsWithIend(bytes)) {
                    throw new BadImageException("the png image is truncated: no IEND chunk at its end");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new BadImageException("the " + format + " image is corrupt or truncated: " + warnings.get(0));
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports truncated and corrupt files with IIOException, and some with runtime exceptions.
            throw new BadImageException("the image cannot be decoded: " + e.getMessage());
        }
    }

    /** @return whether the JPEG end-of-image marker (FF D9) stands at the end, allowing for trailing padding */
    private static boolean endsWithEoi(byte[] b) {
        int i = b.length - 1;
        int limit = Math.max(1, b.length - 1024);
        while (i >= limit && (b[i] == 0 || b[i] == '\n' || b[i] == '\r')) {
            i--;
        }
        return i >= 1 && (b[i - 1] & 0xff) == 0xff && (b[i] & 0xff) == 0xd9;
    }

    /** @return whether a PNG's last chunk is IEND (a zero-length chunk: 00 00 00 00 'IEND' CRC) */
    private static boolean endsWithIend(byte[] b) {
        int n = b.length;
        return n >= 12 && b[n - 12] == 0 && b[n - 11] == 0 && b[n - 10] == 0 && b[n - 9] == 0 && b[n - 8] == 'I'
                && b[n - 7] == 'E' && b[n - 6] == 'N' && b[n - 5] == 'D';
    }

    private float[] toInput(BufferedImage img) {
        int th = spec.height();
        int tw = spec.width();
        int w = img.getWidth();
        int h = img.getHeight();
        // Resize so that the shorter side covers the target, then take the centre: one scaled draw of the crop.
        double scale = Math.max((double) tw / w, (double) th / h);
        double cw = tw / scale;
        double ch = th / scale;
        int sx = (int) Math.round((w - cw) / 2);
        int sy = (int) Math.round((h - ch) / 2);
        BufferedImage canvas = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, tw, th, sx, sy, sx + (int) Math.round(cw), sy + (int) Math.round(ch), null);
        } finally {
            g.dispose();
        }
        return values(canvas.getRGB(0, 0, tw, th, null, 0, tw), spec);
    }

    /**
     * @param rgb the model input's pixels as packed RGB, row-major
     * @return them as the model's values: grey or RGB, each 8-bit level times scale plus offset
     */
    static float[] values(int[] rgb, Preprocessing spec) {
        float[] out = new float[spec.valuesPerImage()];
        float s = spec.scale();
        float o = spec.offset();
        if (spec.channels() == 3) {
            for (int i = 0; i < rgb.length; i++) {
                int p = rgb[i];
                out[3 * i] = ((p >> 16) & 0xff) * s + o;
                out[3 * i + 1] = ((p >> 8) & 0xff) * s + o;
                out[3 * i + 2] = (p & 0xff) * s + o;
            }
        } else {
            for (int i = 0; i < rgb.length; i++) {
                int p = rgb[i];
                int r = (p >> 16) & 0xff;
                int gr = (p >> 8) & 0xff;
                int b = p & 0xff;
                float grey = (r == gr && gr == b) ? r : Math.round(0.299f * r + 0.587f * gr + 0.114f * b);
                out[i] = grey * s + o;
            }
        }
        return out;
    }

    /** Holds nothing to release. */
    @Override
    public void close() {
    }
}
