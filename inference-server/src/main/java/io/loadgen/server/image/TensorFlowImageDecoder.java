package io.loadgen.server.image;

import io.loadgen.server.model.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.imageio.ImageIO;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.image.DecodeAndCropJpeg;
import org.tensorflow.op.image.DecodePng;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * The {@link ImagePreprocessor} contract (JPEG or PNG bytes to {@code spec.valuesPerImage()} HWC floats,
 * refusals as {@link BadImageException}) computed by a small TensorFlow graph instead of ImageIO and Java2D.
 *
 * <p>Java does the cheap checks before TensorFlow sees the bytes: format from the magic bytes, dimensions from the
 * JPEG SOF or PNG IHDR segment against {@code maxPixels}, the JPEG end-of-image marker and the PNG IEND chunk. The
 * graph then decodes and crops in one step ({@code DecodeAndCropJpeg}: libjpeg-turbo skips the IDCT of rows and
 * MCU columns outside the crop) at a DCT scaling {@code ratio} of 1, 2, 4 or 8 chosen per image from its header, the
 * largest that keeps the decoded image at least as large as the target on both sides; PNG is decoded whole
 * ({@code DecodePng}) and sliced. Then {@code ResizeBilinear} (half-pixel centres, as Java2D's bilinear draw) to
 * {@code height x width}, premultiplication by alpha for PNGs with transparency (ImageIO draws them onto black),
 * luma {@code 0.299 R + 0.587 G + 0.114 B} for one channel (except for JPEGs, whose Y plane libjpeg returns as it
 * is), rounding to whole levels (ImageIO's canvas holds 8-bit values) and {@code v * scale + offset}.
 *
 * <p>The geometry is {@link ImagePreprocessor}'s: scale so that the shorter side covers the target, centre crop of
 * whole source pixels, so the same crop rectangle is resized. With {@code ratio > 1} the result is that of a box
 * filtered (smoother) image, not of point-sampling the full-size one: equal on smooth content, less aliased on fine
 * detail.
 *
 * <p>Corrupt entropy-coded JPEG data that libjpeg only warns about (ImageIO reports the warning, which
 * {@link ImagePreprocessor} refuses) is decoded by TensorFlow into a damaged image without an error; errors libjpeg
 * or libpng raise become {@link BadImageException}.
 *
 * <p>Thread-safe. The session runs each call on the caller's thread (inter-op threads {@code -1}, intra-op 1), so
 * the decode costs the HTTP thread that asks for it and no TensorFlow pool thread. {@link #close} waits for calls in
 * progress.
 */
public final class TensorFlowImageDecoder implements ImageDecoder {
    private static final int[] RATIOS = {1, 2, 4, 8};

    /**
     * Tuning.
     *
     * @param maxRatio largest JPEG DCT scaling used, 1, 2, 4 or 8; 1 decodes every JPEG at full size
     * @param dctMethod libjpeg IDCT: {@code ""} (the default, ISLOW), {@code "INTEGER_ACCURATE"} or
     *     {@code "INTEGER_FAST"}
     */
    public record Options(int maxRatio, String dctMethod) {
        public Options {
            if (maxRatio != 1 && maxRatio != 2 && maxRatio != 4 && maxRatio != 8) {
                throw new IllegalArgumentException("maxRatio must be 1, 2, 4 or 8, got " + maxRatio);
            }
            if (dctMethod == null) {
                dctMethod = "";
            }
        }

        /** @return DCT scaling up to 8, the default IDCT */
        public static Options defaults() {
            return new Options(8, "");
        }
    }

    private final Preprocessing spec;
    private final ImagePreprocessor regionDecoder;
    private final long maxPixels;
    private final Options options;
    private final Graph graph;
    private final Session session;
    private final Placeholder<TString> contents;
    private final Placeholder<TInt32> window;
    private final Placeholder<TInt32> begin;
    private final Placeholder<TInt32> size;
    /** One output per JPEG ratio (index into RATIOS). */
    private final Operand<TFloat32>[] jpeg;
    /** PNG outputs by channels decoded: [1] grey, [3] RGB, [4] RGBA. */
    private final Operand<TFloat32>[] png;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** With {@link Options#defaults()}. */
    public TensorFlowImageDecoder(Preprocessing spec, long maxPixels) {
        this(spec, maxPixels, Options.defaults());
    }

    /**
     * @param spec the model's preprocessing
     * @param maxPixels largest width x height accepted, {@code >= 1}
     * @param options ratio and IDCT
     */
    @SuppressWarnings("unchecked")
    public TensorFlowImageDecoder(Preprocessing spec, long maxPixels, Options options) {
        this.spec = spec;
        this.maxPixels = maxPixels;
        this.options = options;
        this.regionDecoder = new ImagePreprocessor(spec, maxPixels);
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            contents = tf.withName("contents").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
            window = tf.withName("window").placeholder(TInt32.class, Placeholder.shape(Shape.of(4)));
            begin = tf.withName("begin").placeholder(TInt32.class, Placeholder.shape(Shape.of(3)));
            size = tf.withName("size").placeholder(TInt32.class, Placeholder.shape(Shape.of(3)));
            jpeg = operands(RATIOS.length);
            for (int i = 0; i < RATIOS.length; i++) {
                DecodeAndCropJpeg d = tf.image.decodeAndCropJpeg(contents, window,
                        DecodeAndCropJpeg.channels((long) spec.channels()), DecodeAndCropJpeg.ratio((long) RATIOS[i]),
                        DecodeAndCropJpeg.dctMethod(options.dctMethod()));
                jpeg[i] = finish(tf, d, spec.channels(), false);
            }
            png = operands(5);
            for (int c : spec.channels() == 1 ? new int[] {1, 3, 4} : new int[] {3, 4}) {
                Operand<TUint8> decoded = tf.image.decodePng(contents, TUint8.class, DecodePng.channels((long) c));
                png[c] = finish(tf, tf.slice(decoded, begin, size), c, c == 4);
            }
            ConfigProto config = ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(1)
                    .setInterOpParallelismThreads(-1) // negative: every op on the caller's thread
                    .build();
            session = new Session(graph, config);
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    /** Crop (already done) -> resize -> alpha -> grey -> round -> scale and offset, as a [1, H, W, C] float. */
    private Operand<TFloat32> finish(Ops tf, Operand<TUint8> cropped, int decodedChannels, boolean alpha) {
        // Cast first: ResizeBilinear's float kernel is faster than its uint8 one (604 vs 683 us for 240x240 -> 224).
        Operand<TFloat32> batch = tf.expandDims(tf.dtypes.cast(cropped, TFloat32.class), tf.constant(0));
        Operand<TFloat32> f = tf.image.resizeBilinear(batch, tf.constant(new int[] {spec.height(), spec.width()}),
                ResizeBilinear.halfPixelCenters(true));
        int c = decodedChannels;
        if (alpha) {
            Operand<TFloat32> rgb = tf.slice(f, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, -1,
                -1, 3}));
            Operand<TFloat32> a = tf.slice(f, tf.constant(new int[] {0, 0, 0, 3}), tf.constant(new int[] {-1, -1, -1,
                1}));
            f = tf.math.mul(rgb, tf.math.mul(a, tf.constant(1f / 255)));
            c = 3;
        }
        if (spec.channels() == 1 && c == 3) {
            f = tf.sum(tf.math.mul(f, tf.constant(new float[] {0.299f, 0.587f, 0.114f})), tf.constant(3),
                    Sum.keepDims(true));
        }
        f = tf.math.round(f);
        return tf.math.add(tf.math.mul(f, tf.constant(spec.scale())), tf.constant(spec.offset()));
    }

    /**
     * Runs every branch of the graph once (each JPEG ratio in use, grey, RGB and RGBA PNG): the first run of a branch
     * costs 10-70 ms of graph preparation, which should not fall on a request. Takes about 0.1-0.3 s.
     */
    public void warmUp() {
        int th = spec.height();
        int tw = spec.width();
        try {
            for (int r : RATIOS) {
                if (r <= options.maxRatio() && (long) tw * r * th * r <= maxPixels) {
                    preprocess(encode(new BufferedImage(tw * r, th * r, BufferedImage.TYPE_INT_RGB), "jpg"));
                }
            }
            for (int type : new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_INT_RGB,
                BufferedImage.TYPE_INT_ARGB}) {
                if ((long) tw * th <= maxPixels) {
                    preprocess(encode(new BufferedImage(tw, th, type), "png"));
                }
            }
        } catch (BadImageException | IOException e) {
            throw new IllegalStateException("warm-up image refused: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Override
    public Preprocessing spec() {
        return spec;
    }

    /** @return the options in use */
    public Options options() {
        return options;
    }

    /**
     * @param bytes a JPEG or PNG file
     * @return {@code spec.valuesPerImage()} values in HWC order
     * @throws BadImageException when the bytes are empty, not a JPEG or PNG, too large, truncated or corrupt
     */
    @Override
    public float[] preprocess(byte[] bytes) throws BadImageException {
        Header h = ImageHeaders.read(bytes);
        if ((long) h.width() * h.height() > maxPixels) {
            throw new BadImageException("the image is " + h.width() + "x" + h.height() + " pixels, more than the "
                    + maxPixels + " allowed");
        }
        ImageHeaders.requireWhole(bytes, h);
        int th = spec.height();
        int tw = spec.width();
        Operand<TFloat32> out;
        int[] crop;
        boolean isJpeg = h.format().equals("jpeg");
        if (isJpeg) {
            int r = chooseRatio(h.width(), h.height(), tw, th, options.maxRatio());
            // libjpeg's scaled size: ceil(w / r).
            crop = crop(ceilDiv(h.width(), r), ceilDiv(h.height(), r), tw, th);
            out = jpeg[Integer.numberOfTrailingZeros(r)];
        } else {
            crop = crop(h.width(), h.height(), tw, th);
            int c = h.alpha() ? 4 : spec.channels() == 1 && !h.colour() ? 1 : 3;
            out = png[c];
        }
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the image decoder is closed");
            }
            try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes))) {
                Session.Runner runner = session.runner().feed(contents, in).fetch(out);
                if (isJpeg) {
                    try (TInt32 w = TInt32.vectorOf(crop[1], crop[0], crop[3], crop[2])) {
                        return run(runner.feed(window, w), h.format());
                    }
                }
                try (TInt32 b = TInt32.vectorOf(crop[1], crop[0], 0);
                        TInt32 s = TInt32.vectorOf(crop[3], crop[2], -1)) {
                    return run(runner.feed(begin, b).feed(size, s), h.format());
                }
            }
        } finally {
            read.unlock();
        }
    }

    private float[] run(Session.Runner runner, String format) throws BadImageException {
        Result result;
        try {
            result = runner.run();
        } catch (TFInvalidArgumentException | TFUnimplementedException e) {
            // What libjpeg and libpng raise (corrupt data, an unsupported variant) comes back as InvalidArgument, e.g.
            // "jpeg::Uncompress failed. Invalid JPEG data or crop window." Anything else (out of memory) is ours.
            throw new BadImageException("the " + format + " image cannot be decoded: " + firstLine(e.getMessage()));
        }
        try (result) {
            Tensor t = result.get(0);
            float[] values = new float[spec.valuesPerImage()];
            if (!(t instanceof TFloat32 f) || f.shape().size() != values.length) {
                throw new IllegalStateException("decoder graph returned " + t.dataType() + " " + t.shape());
            }
            f.copyTo(DataBuffers.of(values, false, false));
            return values;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * @return the largest DCT scaling in 1, 2, 4, 8 (at most {@code maxRatio}) whose output, {@code ceil(w / r) x
     *     ceil(h / r)}, still covers {@code tw x th}
     */
    static int chooseRatio(int w, int h, int tw, int th, int maxRatio) {
        int best = 1;
        for (int r : RATIOS) {
            if (r <= maxRatio && ceilDiv(w, r) >= tw && ceilDiv(h, r) >= th) {
                best = r;
            }
        }
        return best;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * {@link ImagePreprocessor}'s crop: the centre {@code tw/scale x th/scale} rectangle, rounded to whole pixels.
     *
     * @return {x, y, width, height}, inside {@code w x h}
     */
    static int[] crop(int w, int h, int tw, int th) {
        double scale = Math.max((double) tw / w, (double) th / h);
        double cw = tw / scale;
        double ch = th / scale;
        int sx = (int) Math.round((w - cw) / 2);
        int sy = (int) Math.round((h - ch) / 2);
        int cropW = Math.max(1, Math.min((int) Math.round(cw), w));
        int cropH = Math.max(1, Math.min((int) Math.round(ch), h));
        sx = Math.max(0, Math.min(sx, w - cropW));
        sy = Math.max(0, Math.min(sy, h - cropH));
        return new int[] {sx, sy, cropW, cropH};
    }

    /**
     * Regions go through {@link ImagePreprocessor} (ImageIO): one decode for all of a request's regions, where this
     * decoder would decode the file once per region.
     */
    @Override
    public List<float[]> preprocessRegions(byte[] bytes, List<Region> regions) throws BadImageException {
        return regionDecoder.preprocessRegions(bytes, regions);
    }

    /** Closes the session and graph; waits for calls in progress. Idempotent. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        write.lock();
        try {
            if (!closed) {
                closed = true;
                session.close();
                graph.close();
            }
        } finally {
            write.unlock();
        }
    }

    /** What the header says. */
    record Header(String format, int width, int height, boolean colour, boolean alpha) {
    }

    /** @return an array of {@code n} operands, all null (Java makes no generic arrays: the one cast, here) */
    @SuppressWarnings("unchecked")
    private static Operand<TFloat32>[] operands(int n) {
        return (Operand<TFloat32>[]) new Operand<?>[n];
    }
}
