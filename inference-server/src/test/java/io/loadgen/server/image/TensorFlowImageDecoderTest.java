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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TensorFlowImageDecoder} against {@link ImagePreprocessor}, the reference.
 *
 * <p>Tolerances are in 8-bit levels (1 level = {@code spec.scale()}, 1/255 of the value range). PNG: both paths get
 * the same pixels and the same crop rectangle and both resize bilinearly with half-pixel centres, so only rounding
 * differs: mean at most 0.5 levels, no value more than 1 level off. JPEG: the JDK's libjpeg 6b and TensorFlow's
 * libjpeg-turbo differ by 1-2 levels in IDCT and chroma upsampling rounding (about 1 level on average, measured), so
 * mean at most 2 levels on smooth gradients, no value more than 6 off. A real mistake is far larger: swapped R and B on
 * these gradients is about 60 levels, squashing instead of cropping a 4:3 image up to 30, a crop off by 5 pixels 2.
 * With DCT scaling (ratio 2-8) a photo's fine detail is box-averaged rather than point-sampled, so photo-like images
 * get a looser mean bound (3 levels at 224x224) than gradients, and full-size decoding (ratio 1) a tight one.
 */
class TensorFlowImageDecoderTest {
    private static final long MAX_PIXELS = 40_000_000;
    private static final Preprocessing MOBILENET = new Preprocessing(224, 224, 3, 2f / 255, -1f);
    private static final Preprocessing MNIST = new Preprocessing(28, 28, 1, 1f / 255, 0f);
    private static final int[][] SIZES = {{640, 480}, {1920, 1080}, {100, 60}, {224, 224}, {30, 50}, {500, 200}};

    private static TensorFlowImageDecoder rgb;
    private static TensorFlowImageDecoder grey;
    private static TensorFlowImageDecoder rgbFull;
    private static final ImagePreprocessor RGB_REF = new ImagePreprocessor(MOBILENET, MAX_PIXELS);
    private static final ImagePreprocessor GREY_REF = new ImagePreprocessor(MNIST, MAX_PIXELS);

    @BeforeAll
    static void open() {
        rgb = new TensorFlowImageDecoder(MOBILENET, MAX_PIXELS);
        grey = new TensorFlowImageDecoder(MNIST, MAX_PIXELS);
        rgbFull = new TensorFlowImageDecoder(MOBILENET, MAX_PIXELS, new TensorFlowImageDecoder.Options(1, ""));
    }

    @AfterAll
    static void close() {
        rgb.close();
        grey.close();
        rgbFull.close();
    }

    /** Red across, green down, blue along the diagonal. */
    static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = x * 255 / Math.max(1, w - 1);
                int g = y * 255 / Math.max(1, h - 1);
                int b = (x + y) * 255 / Math.max(1, w + h - 2);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static BufferedImage solid(int w, int h, Color c, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    /** @return {mean, max} absolute difference in levels */
    static double[] diff(float[] expected, float[] actual, Preprocessing spec) {
        assertEquals(expected.length, actual.length);
        double sum = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]) / spec.scale();
            sum += d;
            max = Math.max(max, d);
        }
        return new double[] {sum / expected.length, max};
    }

    private static void assertAgrees(ImagePreprocessor ref, TensorFlowImageDecoder tf, byte[] image, double meanLevels,
            double maxLevels, String what) throws BadImageException {
        double[] d = diff(ref.preprocess(image), tf.preprocess(image), ref.spec());
        // 1e-3: float rounding of v * scale + offset
        assertTrue(d[0] <= meanLevels && d[1] <= maxLevels + 1e-3, what + ": mean " + d[0] + " levels, max " + d[1]
                + " (allowed " + meanLevels + ", " + maxLevels + ")");
    }

    @Test
    void gradientsAgreeWithImageIoAtEverySize() throws Exception {
        for (int[] s : SIZES) {
            BufferedImage img = gradient(s[0], s[1]);
            byte[] png = Images.encode(img, "png");
            byte[] jpg = Images.encode(img, "jpg");
            String size = s[0] + "x" + s[1];
            assertAgrees(RGB_REF, rgb, png, 0.5, 1, "png " + size + " -> 224x224x3");
            assertAgrees(GREY_REF, grey, png, 0.5, 1, "png " + size + " -> 28x28x1");
            assertAgrees(RGB_REF, rgb, jpg, 2, 6, "jpg " + size + " -> 224x224x3");
            assertAgrees(GREY_REF, grey, jpg, 2, 6, "jpg " + size + " -> 28x28x1");
            assertAgrees(RGB_REF, rgbFull, jpg, 2, 6, "jpg " + size + " -> 224x224x3 at ratio 1");
        }
    }

    @Test
    void photoLikeImagesAgree() throws Exception {
        for (int[] s : new int[][] {{640, 480}, {1920, 1080}}) {
            for (byte[] jpg : DecodeCostProbe.photos(2, s[0], s[1], "jpg")) {
                assertAgrees(RGB_REF, rgbFull, jpg, 1.5, 255, "photo jpg " + s[0] + "x" + s[1] + " at ratio 1");
                assertAgrees(RGB_REF, rgb, jpg, 3, 255, "photo jpg " + s[0] + "x" + s[1] + " with DCT scaling");
            }
        }
        for (byte[] png : DecodeCostProbe.photos(2, 640, 480, "png")) {
            assertAgrees(RGB_REF, rgb, png, 0.5, 1, "photo png");
        }
    }

    @Test
    void progressiveJpegsDecode() throws Exception {
        for (int[] s : new int[][] {{640, 480}, {1920, 1080}, {100, 60}}) {
            byte[] jpg = progressive(gradient(s[0], s[1]));
            assertAgrees(RGB_REF, rgb, jpg, 2, 6, "progressive jpg " + s[0] + "x" + s[1]);
            assertAgrees(GREY_REF, grey, jpg, 2, 6, "progressive jpg " + s[0] + "x" + s[1] + ", grey");
        }
    }

    static byte[] progressive(BufferedImage img) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        byte[] b = out.toByteArray();
        assertEquals(0xc2, b[indexOf(b, (byte) 0xff, (byte) 0xc2) + 1] & 0xff, "a progressive frame header");
        return b;
    }

    @Test
    void aSolidColourGivesExactlyThatValue() throws Exception {
        Color c = new Color(200, 100, 50);
        int luma = Math.round(0.299f * 200 + 0.587f * 100 + 0.114f * 50); // 124, as ImagePreprocessor computes it
        for (int[] s : SIZES) {
            byte[] png = Images.encode(solid(s[0], s[1], c, BufferedImage.TYPE_INT_RGB), "png");
            float[] v = rgb.preprocess(png);
            for (int i = 0; i < v.length; i += 3) {
                assertEquals(200 * MOBILENET.scale() + MOBILENET.offset(), v[i], 1e-6, "R at " + i);
                assertEquals(100 * MOBILENET.scale() + MOBILENET.offset(), v[i + 1], 1e-6, "G at " + i);
                assertEquals(50 * MOBILENET.scale() + MOBILENET.offset(), v[i + 2], 1e-6, "B at " + i);
            }
            for (float f : grey.preprocess(png)) {
                assertEquals(luma / 255f, f, 1e-6);
            }
            // JPEG: uniform, within a level of ImageIO's value (the encoder's rounding is shared, the decoders' not).
            byte[] jpg = Images.encode(solid(s[0], s[1], c, BufferedImage.TYPE_INT_RGB), "jpg");
            float[] ref = RGB_REF.preprocess(jpg);
            float[] tf = rgb.preprocess(jpg);
            for (int i = 0; i < tf.length; i++) {
                assertEquals(ref[i % 3], tf[i], 1.01 * MOBILENET.scale(), "jpg " + s[0] + "x" + s[1] + " at " + i);
            }
        }
    }

    @Test
    void greyImagesForOneChannel() throws Exception {
        for (int[] s : SIZES) {
            BufferedImage img = solid(s[0], s[1], new Color(77, 77, 77), BufferedImage.TYPE_BYTE_GRAY);
            for (float f : grey.preprocess(Images.encode(img, "png"))) {
                assertEquals(77 / 255f, f, 1e-6);
            }
            for (float f : grey.preprocess(Images.encode(img, "jpg"))) {
                assertEquals(77 / 255f, f, 1.01 / 255);
            }
            for (float f : rgb.preprocess(Images.encode(img, "png"))) {
                assertEquals(77 * MOBILENET.scale() + MOBILENET.offset(), f, 1e-6);
            }
            BufferedImage g = new BufferedImage(s[0], s[1], BufferedImage.TYPE_BYTE_GRAY);
            g.getGraphics().drawImage(gradient(s[0], s[1]), 0, 0, null);
            assertAgrees(GREY_REF, grey, Images.encode(g, "png"), 0.5, 1, "grey gradient png " + s[0] + "x" + s[1]);
            assertAgrees(GREY_REF, grey, Images.encode(g, "jpg"), 2, 6, "grey gradient jpg " + s[0] + "x" + s[1]);
        }
    }

    @Test
    void transparentPngsAreDrawnOnBlackAsImageIoDoes() throws Exception {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_ARGB);
        BufferedImage grad = gradient(320, 240);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                int alpha = x < 160 ? 0 : 255 * (x - 160) / 159;
                img.setRGB(x, y, (alpha << 24) | (grad.getRGB(x, y) & 0xffffff) | (x < 160 ? 0xffffff : 0));
            }
        }
        byte[] png = Images.encode(img, "png");
        assertAgrees(RGB_REF, rgb, png, 0.6, 2, "RGBA png");
        assertAgrees(GREY_REF, grey, png, 0.6, 2, "RGBA png, grey");
    }

    @Test
    void theRatioIsTheLargestThatStillCoversTheTarget() {
        assertEquals(2, TensorFlowImageDecoder.chooseRatio(640, 480, 224, 224, 8));
        assertEquals(4, TensorFlowImageDecoder.chooseRatio(1920, 1080, 224, 224, 8));
        assertEquals(8, TensorFlowImageDecoder.chooseRatio(640, 480, 28, 28, 8));
        assertEquals(1, TensorFlowImageDecoder.chooseRatio(100, 60, 224, 224, 8));
        assertEquals(1, TensorFlowImageDecoder.chooseRatio(446, 600, 224, 224, 8)); // ceil(446 / 2) = 223
        assertEquals(2, TensorFlowImageDecoder.chooseRatio(447, 600, 224, 224, 8)); // ceil(447 / 2) = 224
        assertEquals(2, TensorFlowImageDecoder.chooseRatio(1920, 1080, 224, 224, 2));
        assertEquals(1, TensorFlowImageDecoder.chooseRatio(1920, 1080, 224, 224, 1));
    }

    @Test
    void emptyRandomTextTruncatedAndOtherFormatsAreRefused() {
        assertTrue(assertThrows(BadImageException.class, () -> rgb.preprocess(new byte[0])).getMessage()
                .contains("empty"));
        assertThrows(BadImageException.class, () -> rgb.preprocess(null));
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        assertTrue(assertThrows(BadImageException.class, () -> rgb.preprocess(random)).getMessage()
                .contains("not a JPEG or PNG"));
        byte[] text = "hello, this is not an image\n".repeat(20).getBytes(StandardCharsets.UTF_8);
        assertThrows(BadImageException.class, () -> rgb.preprocess(text));

        byte[] jpeg = Images.encode(gradient(640, 480), "jpg");
        byte[] truncatedJpeg = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertTrue(assertThrows(BadImageException.class, () -> rgb.preprocess(truncatedJpeg)).getMessage()
                .contains("truncated"));
        byte[] headerOnly = Arrays.copyOf(jpeg, 200);
        assertThrows(BadImageException.class, () -> rgb.preprocess(headerOnly));
        byte[] png = Images.encode(gradient(64, 64), "png");
        byte[] truncatedPng = Arrays.copyOf(png, png.length - 20);
        assertTrue(assertThrows(BadImageException.class, () -> rgb.preprocess(truncatedPng)).getMessage()
                .contains("truncated"));
        byte[] gif = Images.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "gif");
        assertTrue(assertThrows(BadImageException.class, () -> rgb.preprocess(gif)).getMessage().contains("gif"));
        // A JPEG start (FF D8 FF) followed by garbage and an end marker: no frame header.
        byte[] fake = new byte[600];
        new Random(2).nextBytes(fake);
        fake[0] = (byte) 0xff;
        fake[1] = (byte) 0xd8;
        fake[2] = (byte) 0xff;
        fake[598] = (byte) 0xff;
        fake[599] = (byte) 0xd9;
        assertThrows(BadImageException.class, () -> rgb.preprocess(fake));
    }

    @Test
    void tooManyPixelsIsRefusedFromTheHeader() throws Exception {
        byte[] bomb = ImagePreprocessorTest.pngHeader(100_000, 100_000);
        BadImageException e = assertThrows(BadImageException.class, () -> rgb.preprocess(bomb));
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
        try (TensorFlowImageDecoder small = new TensorFlowImageDecoder(MOBILENET, 640 * 480 - 1)) {
            byte[] jpg = Images.encode(gradient(640, 480), "jpg");
            assertTrue(assertThrows(BadImageException.class, () -> small.preprocess(jpg)).getMessage()
                    .contains("640x480"));
            assertEquals(MOBILENET.valuesPerImage(), small.preprocess(Images.encode(gradient(639, 480), "jpg"))
                    .length);
        }
    }

    /**
     * Flipped bits in the entropy-coded data, end marker kept: libjpeg only warns (on stderr: "Corrupt JPEG data:
     * premature end of data segment"), and TensorFlow ignores warnings, so the result is a damaged but well-formed
     * input, not an error (ImageIO reports the warning and ImagePreprocessor refuses the image). Asserts no crash and
     * a well-formed result either way, and that ImagePreprocessor still refuses them.
     */
    @Test
    void corruptButCompleteJpegDataIsNotACrash() throws Exception {
        byte[] jpeg = Images.encode(gradient(640, 480), "jpg");
        Random rnd = new Random(7);
        int refusedByTf = 0;
        int refusedByImageIo = 0;
        int n = 20;
        for (int k = 0; k < n; k++) {
            byte[] c = jpeg.clone();
            for (int j = 0; j < 8; j++) {
                int i = c.length / 3 + rnd.nextInt(c.length / 3);
                c[i] ^= (byte) (1 << rnd.nextInt(8));
            }
            try {
                float[] v = rgb.preprocess(c);
                assertEquals(MOBILENET.valuesPerImage(), v.length);
                for (float f : v) {
                    assertTrue(f >= -1 && f <= 1, "in range: " + f);
                }
            } catch (BadImageException e) {
                refusedByTf++;
            }
            try {
                RGB_REF.preprocess(c);
            } catch (BadImageException e) {
                refusedByImageIo++;
            }
        }
        System.out.println("corrupt JPEGs refused: TensorFlow " + refusedByTf + "/" + n + ", ImageIO "
                + refusedByImageIo + "/" + n);
        assertEquals(n, refusedByImageIo);
    }

    /** Errors libjpeg and libpng do raise come back as BadImageException. */
    @Test
    void decoderErrorsBecomeBadImageException() {
        byte[] jpeg = Images.encode(gradient(64, 64), "jpg");
        byte[] badTable = jpeg.clone();
        int dht = indexOf(badTable, (byte) 0xff, (byte) 0xc4);
        // A Huffman table whose 16 code-length counts claim more than 256 codes: "Bogus Huffman table definition".
        for (int i = dht + 5; i < dht + 5 + 16; i++) {
            badTable[i] = (byte) 0xff;
        }
        BadImageException e = assertThrows(BadImageException.class, () -> rgb.preprocess(badTable));
        assertTrue(e.getMessage().contains("cannot be decoded"), e.getMessage());

        byte[] png = Images.encode(gradient(64, 64), "png");
        byte[] badPng = png.clone();
        int idat = indexOf(badPng, (byte) 'I', (byte) 'D', (byte) 'A', (byte) 'T');
        for (int i = idat + 40; i < idat + 60; i++) {
            badPng[i] ^= 0x5a;
        }
        e = assertThrows(BadImageException.class, () -> rgb.preprocess(badPng));
        assertTrue(e.getMessage().contains("cannot be decoded"), e.getMessage());
    }

    private static int indexOf(byte[] b, byte... needle) {
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void fourThreadsGetIdenticalResults() throws Exception {
        List<byte[]> images = new ArrayList<>();
        for (int[] s : SIZES) {
            images.add(Images.encode(gradient(s[0], s[1]), "jpg"));
            images.add(Images.encode(gradient(s[0], s[1]), "png"));
        }
        images.addAll(DecodeCostProbe.photos(2, 800, 600, "jpg"));
        List<float[]> expected = new ArrayList<>();
        for (byte[] b : images) {
            expected.add(rgb.preprocess(b));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 10; round++) {
                        for (int i = 0; i < images.size(); i++) {
                            int k = (i + offset) % images.size();
                            assertArrayEquals(expected.get(k), rgb.preprocess(images.get(k)), "image " + k);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedDecoderRefusesCallsAndClosesOnce() throws Exception {
        TensorFlowImageDecoder d = new TensorFlowImageDecoder(MNIST, MAX_PIXELS);
        d.warmUp();
        byte[] png = Images.grey(51, 8, 8, "png");
        assertEquals(0.2f, d.preprocess(png)[0], 1e-6);
        d.close();
        d.close();
        assertThrows(IllegalStateException.class, () -> d.preprocess(png));
    }
}
