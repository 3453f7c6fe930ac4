package io.loadgen.server.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.server.model.Preprocessing;
import io.loadgen.server.testing.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
    private final ImagePreprocessor grey8 = new ImagePreprocessor(new Preprocessing(8, 8, 1, 1f / 255, 0f), 40_000_000);

    @Test
    void greyPngBecomesScaledValues() throws Exception {
        float[] v = grey8.preprocess(Images.grey(51, 8, 8, "png"));
        assertEquals(64, v.length);
        for (float f : v) {
            assertEquals(0.2f, f, 1e-6);
        }
    }

    @Test
    void rgbScalingToMinusOneOne() throws Exception {
        ImagePreprocessor p = new ImagePreprocessor(new Preprocessing(4, 4, 3, 2f / 255, -1f), 1000);
        float[] v = p.preprocess(Images.grey(255, 4, 4, "png"));
        assertEquals(48, v.length);
        for (float f : v) {
            assertEquals(1f, f, 1e-6);
        }
        float[] black = p.preprocess(Images.grey(0, 4, 4, "png"));
        for (float f : black) {
            assertEquals(-1f, f, 1e-6);
        }
    }

    @Test
    void wideImagesAreResizedThenCentreCropped() throws Exception {
        // 64x16: black | white | black in thirds of the width; the centre square (24..40) is white.
        BufferedImage img = new BufferedImage(64, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(21, 0, 22, 16);
        g.dispose();
        float[] v = grey8.preprocess(Images.encode(img, "png"));
        for (float f : v) {
            assertTrue(f > 0.9f, "the centre crop is the white band: " + Arrays.toString(v));
        }
        // Without the crop (squashing the whole width) black columns would appear.
    }

    @Test
    void jpegDecodes() throws Exception {
        float[] v = grey8.preprocess(Images.grey(128, 32, 32, "jpg"));
        for (float f : v) {
            assertEquals(128 / 255f, f, 0.02);
        }
    }

    @Test
    void emptyRandomTextAndTruncatedBodiesAreRefused() {
        assertTrue(assertThrows(BadImageException.class, () -> grey8.preprocess(new byte[0])).getMessage()
                .contains("empty"));
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        assertTrue(assertThrows(BadImageException.class, () -> grey8.preprocess(random)).getMessage()
                .contains("not a JPEG or PNG"));
        byte[] text = "hello, this is not an image\n".repeat(20).getBytes(StandardCharsets.UTF_8);
        assertThrows(BadImageException.class, () -> grey8.preprocess(text));
        byte[] jpeg = Images.grey(90, 64, 64, "jpg");
        byte[] truncatedJpeg = Arrays.copyOf(jpeg, jpeg.length / 2);
        BadImageException e = assertThrows(BadImageException.class, () -> grey8.preprocess(truncatedJpeg));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("cannot be decoded"),
                e.getMessage());
        byte[] png = Images.grey(90, 64, 64, "png");
        byte[] truncatedPng = Arrays.copyOf(png, png.length - 20);
        assertThrows(BadImageException.class, () -> grey8.preprocess(truncatedPng));
    }

    @Test
    void aHugeClaimedSizeIsRefusedFromTheHeaderWithoutDecoding() {
        byte[] bomb = pngHeader(100_000, 100_000);
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        BadImageException e = assertThrows(BadImageException.class, () -> grey8.preprocess(bomb));
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 200L << 20, "no 30 GB raster was allocated");
    }

    @Test
    void otherFormatsAreRefused() {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        byte[] gif = Images.encode(img, "gif");
        BadImageException e = assertThrows(BadImageException.class, () -> grey8.preprocess(gif));
        assertTrue(e.getMessage().contains("gif"), e.getMessage());
    }

    /** A PNG signature, an IHDR chunk for w x h RGB 8-bit, and IEND: a valid header with no pixel data. */
    static byte[] pngHeader(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void sameInputSameOutput() throws Exception {
        byte[] png = Images.grey(77, 20, 10, "png");
        assertArrayEquals(grey8.preprocess(png), grey8.preprocess(png));
    }
}
