package io.loadgen.core.engine;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * An encoded image (JPEG, PNG, BMP, GIF) made into a model's FP32 input on the client, as Triton's
 * {@code image_client} does: the image is scaled so that it covers the input's height and width, its centre is
 * cropped, it is made grey or RGB, and each 8-bit level is scaled ({@link Scaling}) and laid out
 * ({@link Layout}). Immutable; {@link #values} is thread-safe.
 *
 * @param height the input's height in pixels, in [1, 4096]
 * @param width its width in pixels, in [1, 4096]
 * @param channels 1 (grey) or 3 (RGB)
 * @param layout where the channel dimension is
 * @param scaling what each level becomes
 */
public record ImageTensor(int height, int width, int channels, Layout layout, Scaling scaling) {
    /** Where the channel dimension is. */
    public enum Layout {
        /** Height, width, channels (TensorFlow's default). */
        NHWC,
        /** Channels, height, width (PyTorch's and ONNX's). */
        NCHW
    }

    /** What an 8-bit level {@code x} (0-255) of channel {@code c} becomes. */
    public enum Scaling {
        /** {@code x / 255}: 0 to 1 (the default). */
        UNIT,
        /** {@code x}: 0 to 255 (Triton image_client's NONE). */
        NONE,
        /** {@code x / 127.5 - 1}: -1 to 1 (Triton image_client's INCEPTION). */
        INCEPTION,
        /** {@code (x / 255 - mean[c]) / std[c]} with ImageNet's RGB means and deviations (torchvision's); RGB only. */
        IMAGENET;

        private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
        private static final float[] STD = {0.229f, 0.224f, 0.225f};

        float apply(int level, int channel) {
            return switch (this) {
                case UNIT -> level / 255f;
                case NONE -> level;
                case INCEPTION -> level / 127.5f - 1f;
                case IMAGENET -> (level / 255f - MEAN[channel]) / STD[channel];
            };
        }

        /** @return the name as {@code --kserve-scaling} takes it */
        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ImageTensor {
        if (height < 1 || width < 1 || height > 4096 || width > 4096) {
            throw new IllegalArgumentException("an image input's height and width must be in [1, 4096], got "
                    + height + "x" + width);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an image input has 1 (grey) or 3 (RGB) channels, got " + channels);
        }
        if (scaling == Scaling.IMAGENET && channels != 3) {
            throw new IllegalArgumentException("imagenet scaling needs 3 channels (RGB), the input has " + channels);
        }
    }

    /** @return values per image: {@code height * width * channels} */
    public int count() {
        return height * width * channels;
    }

    /**
     * @param encoded the image file's bytes
     * @param name the file's name, for messages
     * @return the input's values in its layout, row-major
     * @throws IllegalArgumentException when the bytes are not an image ImageIO can read
     */
    public float[] values(byte[] encoded, String name) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException e) {
            throw new IllegalArgumentException("payload " + name + " is not a readable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("payload " + name + " is not an image (JPEG, PNG, BMP or GIF)");
        }
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        double scale = Math.max((double) width / img.getWidth(), (double) height / img.getHeight());
        double cw = width / scale;
        double ch = height / scale;
        int sx = (int) Math.round((img.getWidth() - cw) / 2);
        int sy = (int) Math.round((img.getHeight() - ch) / 2);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, width, height, sx, sy, sx + (int) Math.round(cw), sy + (int) Math.round(ch), null);
        } finally {
            g.dispose();
        }
        int[] rgb = canvas.getRGB(0, 0, width, height, null, 0, width);
        float[] out = new float[count()];
        int plane = height * width;
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            int r = (p >> 16) & 0xff;
            int gr = (p >> 8) & 0xff;
            int b = p & 0xff;
            if (channels == 1) {
                int grey = (r == gr && gr == b) ? r : Math.round(0.299f * r + 0.587f * gr + 0.114f * b);
                out[i] = scaling.apply(grey, 0);
            } else if (layout == Layout.NHWC) {
                out[3 * i] = scaling.apply(r, 0);
                out[3 * i + 1] = scaling.apply(gr, 1);
                out[3 * i + 2] = scaling.apply(b, 2);
            } else {
                out[i] = scaling.apply(r, 0);
                out[plane + i] = scaling.apply(gr, 1);
                out[2 * plane + i] = scaling.apply(b, 2);
            }
        }
        return out;
    }
}
