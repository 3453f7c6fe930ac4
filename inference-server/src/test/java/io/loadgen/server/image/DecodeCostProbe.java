package io.loadgen.server.image;

import io.loadgen.server.model.Preprocessing;
import io.loadgen.server.testing.Images;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Measurement, not a test: CPU and wall microseconds per image for each decode path, side by side in one JVM.
 *
 * <p>Each case encodes 8 different photo-like images (gradients, shapes, text, sensor-like noise; JPEG at ImageIO's
 * default quality 0.75). Every path is warmed up, then {@code rounds} times each path in turn decodes {@code n}
 * images; the table shows the median over rounds of: thread CPU (the calling thread:
 * {@code ThreadMXBean.getCurrentThreadCpuTime}), process CPU (every JVM and TensorFlow thread:
 * {@code OperatingSystemMXBean.getProcessCpuTime}) and wall time, per image. The TensorFlow session runs on the
 * caller's thread, so its thread and process CPU should agree; a large gap would mean work moved to other threads.
 * Also the mean absolute difference from ImageIO's output, in 8-bit levels.
 *
 * <p>Run: {@code mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt} then
 * {@code java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) io.loadgen.server.image.DecodeCostProbe
 * [n] [rounds]}.
 */
public final class DecodeCostProbe {
    private interface Path {
        float[] run(byte[] b) throws BadImageException;
    }

    private record Case(String name, String format, int w, int h, Preprocessing spec) {
    }

    private DecodeCostProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Preprocessing mobilenet = new Preprocessing(224, 224, 3, 2f / 255, -1f);
        Preprocessing mnist = new Preprocessing(28, 28, 1, 1f / 255, 0f);
        List<Case> cases = List.of(
                new Case("JPEG 640x480 -> 224x224x3", "jpg", 640, 480, mobilenet),
                new Case("JPEG 1920x1080 -> 224x224x3", "jpg", 1920, 1080, mobilenet),
                new Case("PNG 640x480 -> 224x224x3", "png", 640, 480, mobilenet),
                new Case("JPEG 640x480 -> 28x28x1", "jpg", 640, 480, mnist));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(Locale.ROOT, "%d images per round, %d rounds, medians; %d cores, %s%n", n, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        System.out.printf(Locale.ROOT, "%-28s %-26s %9s %9s %9s %8s %8s%n", "case", "path", "thread us", "proc us",
                "wall us", "MAD lvl", "KB/img");
        for (Case c : cases) {
            byte[][] images = new byte[8][];
            long bytes = 0;
            for (int i = 0; i < images.length; i++) {
                images[i] = Images.encode(photo(c.w(), c.h(), i), c.format());
                bytes += images[i].length;
            }
            long maxPixels = 40_000_000;
            ImagePreprocessor imageIo = new ImagePreprocessor(c.spec(), maxPixels);
            SubsamplingImageIoPreprocessor sub = new SubsamplingImageIoPreprocessor(c.spec(), maxPixels);
            try (TensorFlowImageDecoder tf = new TensorFlowImageDecoder(c.spec(), maxPixels);
                    TensorFlowImageDecoder tf1 = new TensorFlowImageDecoder(c.spec(), maxPixels,
                            new TensorFlowImageDecoder.Options(1, ""));
                    TensorFlowImageDecoder tfFast = new TensorFlowImageDecoder(c.spec(), maxPixels,
                            new TensorFlowImageDecoder.Options(8, "INTEGER_FAST"))) {
                Map<String, Path> paths = new LinkedHashMap<>();
                paths.put("ImageIO (ImagePreprocessor)", imageIo::preprocess);
                paths.put("ImageIO region+subsampling", sub::preprocess);
                paths.put("TF ratio 1 (full decode)", tf1::preprocess);
                paths.put("TF auto ratio", tf::preprocess);
                paths.put("TF auto ratio, IFAST", tfFast::preprocess);
                Map<String, double[][]> samples = new LinkedHashMap<>();
                for (Map.Entry<String, Path> p : paths.entrySet()) {
                    for (int i = 0; i < Math.max(100, n / 3); i++) {
                        p.getValue().run(images[i % images.length]);
                    }
                    samples.put(p.getKey(), new double[3][rounds]);
                }
                for (int r = 0; r < rounds; r++) {
                    for (Map.Entry<String, Path> p : paths.entrySet()) {
                        Path path = p.getValue();
                        long t0 = threads.getCurrentThreadCpuTime();
                        long p0 = os.getProcessCpuTime();
                        long w0 = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            path.run(images[i % images.length]);
                        }
                        double[][] s = samples.get(p.getKey());
                        s[0][r] = (threads.getCurrentThreadCpuTime() - t0) / 1e3 / n;
                        s[1][r] = (os.getProcessCpuTime() - p0) / 1e3 / n;
                        s[2][r] = (System.nanoTime() - w0) / 1e3 / n;
                    }
                }
                for (Map.Entry<String, Path> p : paths.entrySet()) {
                    double mad = 0;
                    for (byte[] img : images) {
                        mad += meanAbsLevels(imageIo.preprocess(img), p.getValue().run(img), c.spec());
                    }
                    double[][] s = samples.get(p.getKey());
                    System.out.printf(Locale.ROOT, "%-28s %-26s %9.0f %9.0f %9.0f %8.2f %8.1f%n", c.name(),
                            p.getKey(), median(s[0]), median(s[1]), median(s[2]), mad / images.length,
                            bytes / 1024.0 / images.length);
                }
            }
        }
    }

    static double meanAbsLevels(float[] a, float[] b, Preprocessing spec) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length / spec.scale();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A photo-like test image: a sky-like gradient, shapes, text and mild noise (so JPEG has real entropy). */
    static BufferedImage photo(int w, int h, long seed) {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(rnd.nextInt(256), rnd.nextInt(256), 255), 0, h,
                new Color(255, rnd.nextInt(256), rnd.nextInt(128))));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 25; i++) {
            g.setPaint(new GradientPaint(rnd.nextInt(w), rnd.nextInt(h), new Color(rnd.nextInt(0x1000000)),
                    rnd.nextInt(w), rnd.nextInt(h), new Color(rnd.nextInt(0x1000000))));
            int x = rnd.nextInt(w);
            int y = rnd.nextInt(h);
            int sw = 1 + rnd.nextInt(w / 3);
            int sh = 1 + rnd.nextInt(h / 3);
            if (rnd.nextBoolean()) {
                g.fillOval(x, y, sw, sh);
            } else {
                g.fillRect(x, y, sw, sh);
            }
        }
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(h / 12f));
        g.drawString("loadgen " + seed, w / 10, h / 2);
        g.dispose();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int d = (int) (rnd.nextGaussian() * 4);
                row[x] = (clamp(((p >> 16) & 0xff) + d) << 16) | (clamp(((p >> 8) & 0xff) + d) << 8)
                        | clamp((p & 0xff) + d);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** For use from tests: the photo-like images as a list of encoded files. */
    static List<byte[]> photos(int count, int w, int h, String format) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Images.encode(photo(w, h, i), format));
        }
        return out;
    }
}
