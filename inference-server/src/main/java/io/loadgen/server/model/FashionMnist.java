package io.loadgen.server.model;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the Fashion-MNIST idx files (Debian package {@code dataset-fashion-mnist}, MIT licence): 60,000 training and
 * 10,000 test 28x28 grey images (white garment on black, as stored) with labels 0..9.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Image side in pixels. */
    public static final int SIZE = 28;
    /** The class names, index = label. */
    public static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * A set of images and labels.
     *
     * @param count number of images
     * @param rows image height
     * @param cols image width
     * @param pixels {@code count * rows * cols} unsigned bytes, row-major, image after image
     * @param labels {@code count} labels 0..9
     */
    public record Split(int count, int rows, int cols, byte[] pixels, byte[] labels) {
        /** @return pixel {@code i} of the flat array as 0..255 */
        public int pixel(int i) {
            return pixels[i] & 0xFF;
        }

        /** @return label of image {@code i} */
        public int label(int i) {
            return labels[i];
        }

        /** @return image {@code i} as a grey PNG file, as a client would send it */
        public byte[] png(int i) {
            int n = rows * cols;
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(cols, rows,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, cols, rows, java.util.Arrays.copyOfRange(pixels, i * n, (i + 1) * n));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try {
                javax.imageio.ImageIO.write(img, "png", out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e); // into memory: cannot happen
            }
            return out.toByteArray();
        }
    }

    private FashionMnist() {
    }

    /** @return whether {@code dir} holds the test split (images and labels, gzipped or not) */
    public static boolean isAvailable(Path dir) {
        return find(dir, "t10k-images-idx3-ubyte") != null && find(dir, "t10k-labels-idx1-ubyte") != null;
    }

    /** Reads the 60,000 training images. */
    public static Split train(Path dir) throws IOException {
        return read(dir, "train");
    }

    /** Reads the 10,000 test images. */
    public static Split test(Path dir) throws IOException {
        return read(dir, "t10k");
    }

    private static Split read(Path dir, String prefix) throws IOException {
        Path images = require(dir, prefix + "-images-idx3-ubyte");
        Path labels = require(dir, prefix + "-labels-idx1-ubyte");
        int[] imageDims = new int[3];
        byte[] pixels = readIdx(images, 0x0803, imageDims);
        int[] labelDims = new int[1];
        byte[] labelBytes = readIdx(labels, 0x0801, labelDims);
        if (imageDims[0] != labelDims[0]) {
            throw new IOException(images + " has " + imageDims[0] + " images but " + labels + " has " + labelDims[0]
                    + " labels");
        }
        for (byte b : labelBytes) {
            if (b < 0 || b >= LABELS.size()) {
                throw new IOException(labels + " holds label " + b + ", expected 0..9");
            }
        }
        return new Split(imageDims[0], imageDims[1], imageDims[2], pixels, labelBytes);
    }

    private static Path require(Path dir, String name) throws IOException {
        Path p = find(dir, name);
        if (p == null) {
            throw new IOException("no " + name + "[.gz] in " + dir
                    + " (install Debian's dataset-fashion-mnist: apt-get install dataset-fashion-mnist)");
        }
        return p;
    }

    private static Path find(Path dir, String name) {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Reads an unsigned-byte idx file, gzipped or not.
     *
     * @param magic expected magic number ({@code 0x0801} labels, {@code 0x0803} images)
     * @param dims filled with the dimensions
     */
    static byte[] readIdx(Path file, int magic, int[] dims) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try (DataInputStream in = new DataInputStream(
                file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            int m = in.readInt();
            if (m != magic) {
                throw new IOException(file + ": magic number " + Integer.toHexString(m) + ", expected "
                        + Integer.toHexString(magic) + " (an unsigned-byte idx file of " + (magic & 0xFF)
                        + " dimensions)");
            }
            long total = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IOException(file + ": negative dimension " + dims[i]);
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": too large (" + total + " values)");
            }
            byte[] data = new byte[(int) total];
            try {
                in.readFully(data);
            } catch (EOFException e) {
                throw new IOException(file + " is truncated: expected " + total + " values", e);
            }
            return data;
        }
    }
}
