package io.loadgen.server.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The model the server runs when given none: MobileNetV2 (alpha 1.0, 224x224x3 input, 1000 classes) with the Keras
 * layer shapes, batch norm folded into each convolution's bias, and <b>deterministic untrained weights</b> drawn from a
 * fixed seed. It costs what the real MobileNetV2 costs (3.5 M parameters, 300 M multiply-adds per image), which is what
 * a load generator needs; its answers mean nothing, and its sidecar says so.
 *
 * <p>The graph is built with the TensorFlow Java ops API (conv2d, depthwiseConv2dNative, biasAdd, relu6, mean, matMul,
 * softmax), the weights are constants (no TF random ops: {@link SplittableRandom} from {@link #SEED}), and it is
 * exported as a SavedModel (signature {@code serving_default}: input {@code input} [-1,224,224,3] float in [-1, 1],
 * output {@code predictions} [-1,1000] softmax) with a {@code loadgen-model.json} sidecar and {@code labels.txt}
 * ({@code class_0..class_999}).
 */
public final class DefaultModel {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultModel.class);

    /** The model's name, as responses report it. */
    public static final String NAME = "mobilenet_v2_1.0_224-untrained";
    /** The cache directory's name; the suffix changes whenever the weights or graph would change. */
    public static final String DIRECTORY_NAME = "mobilenet_v2_1.0_224-untrained-v1";
    /** What the sidecar says about it. */
    public static final String DESCRIPTION =
            "MobileNetV2 1.0 224 with deterministic untrained weights: its answers mean nothing";
    /** The seed of the weights. */
    public static final long SEED = 0x4D6F_62696C65L;
    /** Input side in pixels. */
    public static final int SIZE = 224;
    /** Number of classes. */
    public static final int CLASSES = 1000;
    /** Input scaling: [0, 255] to [-1, 1], as Keras' MobileNetV2 {@code preprocess_input}. */
    public static final Preprocessing PREPROCESSING = new Preprocessing(SIZE, SIZE, 3, 2f / 255f, -1f);
    /** Signature input key. */
    public static final String INPUT_KEY = "input";
    /** Signature output key. */
    public static final String OUTPUT_KEY = "predictions";

    /** MobileNetV2 inverted residual blocks: expansion t, output channels c, repeats n, first stride s. */
    private static final int[][] BLOCKS = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };

    /**
     * What a build did.
     *
     * @param directory where the model is
     * @param parameters number of weights and biases
     * @param buildTime time to build the graph
     * @param exportTime time to write the SavedModel
     * @param bytes size on disk
     */
    public record BuildReport(Path directory, long parameters, Duration buildTime, Duration exportTime, long bytes) {
    }

    private DefaultModel() {
    }

    /** @return {@code ${user.home}/.cache/loadgen/models/mobilenet_v2_1.0_224-untrained-v1} */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".cache", "loadgen", "models", DIRECTORY_NAME);
    }

    /** {@link #ensure(Path)} at the {@link #defaultDirectory()}. */
    public static Path ensure() {
        return ensure(defaultDirectory());
    }

    /**
     * Returns the default model's directory, building it first if it does not exist. The build goes to a temporary
     * sibling directory that is then renamed atomically, so a reader never sees half a model and two processes racing
     * both end with the same complete directory.
     *
     * @param modelDir the model directory itself (e.g. {@link #defaultDirectory()}), not its parent
     * @return {@code modelDir}, absolute
     * @throws ModelLoadException if {@code modelDir} exists but is not a complete model, or the build fails
     */
    public static synchronized Path ensure(Path modelDir) {
        Path dir = modelDir.toAbsolutePath().normalize();
        if (isComplete(dir)) {
            return dir;
        }
        if (Files.exists(dir)) {
            throw new ModelLoadException(dir + " exists but is not a complete model (it lacks "
                    + ModelDirectory.SAVED_MODEL_FILE + " or " + ModelSidecar.FILE_NAME + "); delete it to rebuild");
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp-");
            BuildReport report = build(tmp);
            makeReadable(tmp);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                if (!isComplete(dir)) {
                    throw e;
                }
                LOG.info("another process built {} first; using it", dir);
            }
            LOG.info("built default model {} in {}: {} parameters, {} MB, graph {} ms, export {} ms", NAME, dir,
                    report.parameters(), report.bytes() / 1_000_000, report.buildTime().toMillis(),
                    report.exportTime().toMillis());
            return dir;
        } catch (IOException e) {
            throw new ModelLoadException("cannot build the default model into " + dir + ": " + e, e);
        } finally {
            if (tmp != null) {
                deleteRecursively(tmp);
            }
        }
    }

    private static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelDirectory.SAVED_MODEL_FILE))
                && Files.isRegularFile(dir.resolve(ModelSidecar.FILE_NAME))
                && Files.isRegularFile(dir.resolve(ModelDirectory.DEFAULT_LABELS_FILE));
    }

    /**
     * Builds the model and writes it into {@code dir} (which must be empty or absent): SavedModel, sidecar, labels.
     */
    public static BuildReport build(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new IOException(dir + " is not empty");
            }
        }
        long t0 = System.nanoTime();
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Weights weights = new Weights(SEED);
            Placeholder<TFloat32> input = tf.withName(INPUT_KEY).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
            Operand<TFloat32> probabilities = mobileNetV2(tf, input, weights);
            long t1 = System.nanoTime();
            try (Session session = new Session(graph)) {
                Signature signature = Signature.builder(ModelDirectory.DEFAULT_SIGNATURE)
                        .methodName("tensorflow/serving/predict")
                        .input(INPUT_KEY, input)
                        .output(OUTPUT_KEY, probabilities)
                        .build();
                SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature).export();
            }
            List<String> labels = new ArrayList<>(CLASSES);
            for (int i = 0; i < CLASSES; i++) {
                labels.add("class_" + i);
            }
            Files.write(dir.resolve(ModelDirectory.DEFAULT_LABELS_FILE), labels, StandardCharsets.UTF_8);
            ModelSidecar.of(NAME, DESCRIPTION, false, PREPROCESSING, ModelDirectory.DEFAULT_LABELS_FILE,
                    ModelDirectory.DEFAULT_SIGNATURE).write(dir.resolve(ModelSidecar.FILE_NAME));
            long t2 = System.nanoTime();
            return new BuildReport(dir, weights.count, Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1),
                    sizeOf(dir));
        }
    }

    /**
     * An activation and the expected mean of its squared values, tracked layer by layer so that each layer's weights
     * can be scaled to give unit-variance pre-activations: what the folded batch norms of a trained network do, and
     * what keeps some 50 untrained layers from fading to zero or saturating relu6.
     */
    private record Act(Operand<TFloat32> x, double meanSquare) {
    }

    /** Mean square of relu6(z) for z ~ N(0, 1): half the mass, second moment 1/2 (the clip at 6 is negligible). */
    private static final double RELU_MEAN_SQUARE = 0.5;

    /** Standard deviation aimed at for the logits: a softmax that is neither flat nor one-hot. */
    private static final double LOGIT_STD = 2.0;

    /** The MobileNetV2 graph from input [-1,224,224,3] to softmax [-1,1000]. */
    static Operand<TFloat32> mobileNetV2(Ops tf, Operand<TFloat32> input, Weights w) {
        // Input in [-1, 1], roughly uniform: mean square 1/3.
        Act x = conv(tf.withSubScope("Conv1"), w, new Act(input, 1.0 / 3), 3, 3, 32, 2, true);
        int in = 32;
        int block = 0;
        for (int[] spec : BLOCKS) {
            for (int i = 0; i < spec[2]; i++) {
                String name = block == 0 ? "expanded_conv" : "block_" + block;
                x = invertedResidual(tf.withSubScope(name), w, x, in, spec[0], spec[1], i == 0 ? spec[3] : 1);
                in = spec[1];
                block++;
            }
        }
        x = conv(tf.withSubScope("Conv_1"), w, x, 1, in, 1280, 1, true);
        Ops head = tf.withSubScope("head");
        Operand<TFloat32> pooled = head.withName("global_average_pooling").math.mean(x.x(),
                head.constant(new int[] {1, 2}));
        // Pooling keeps the mean square of the (mostly position-independent) features: no gain change assumed.
        float denseLimit = (float) (LOGIT_STD * Math.sqrt(3.0 / (1280 * x.meanSquare())));
        Operand<TFloat32> kernel = w.constant(head.withName("dense_kernel"), Shape.of(1280, CLASSES), denseLimit);
        Operand<TFloat32> bias = w.constant(head.withName("dense_bias"), Shape.of(CLASSES), 0.1f);
        Operand<TFloat32> logits = head.withName("logits").nn.biasAdd(head.linalg.matMul(pooled, kernel), bias);
        return tf.withName(OUTPUT_KEY).nn.softmax(logits);
    }

    /** Expand (1x1, relu6) unless t = 1, depthwise 3x3 (relu6), project (1x1, linear), residual when shapes match. */
    private static Act invertedResidual(Ops tf, Weights w, Act x, int in, int t, int out, int stride) {
        Act y = x;
        int hidden = in * t;
        if (t != 1) {
            y = conv(tf.withSubScope("expand"), w, y, 1, in, hidden, 1, true);
        }
        y = depthwise(tf.withSubScope("depthwise"), w, y, hidden, stride);
        y = conv(tf.withSubScope("project"), w, y, 1, hidden, out, 1, false);
        if (stride == 1 && in == out) {
            // Independent branches: mean squares add (at most 4 within a stage); the next layer's scale absorbs it.
            return new Act(tf.withName("add").math.add(x.x(), y.x()), x.meanSquare() + y.meanSquare());
        }
        return y;
    }

    /**
     * k x k convolution, stride s, SAME padding, folded-BN bias, optional relu6. Uniform weights scaled so that the
     * pre-activation variance is 1 given the input's mean square.
     */
    private static Act conv(Ops tf, Weights w, Act x, int k, int in, int out, int stride, boolean relu6) {
        double limit = Math.sqrt(3.0 / (k * k * in * x.meanSquare()));
        Operand<TFloat32> kernel = w.constant(tf.withName("kernel"), Shape.of(k, k, in, out), (float) limit);
        Operand<TFloat32> bias = w.constant(tf.withName("bias"), Shape.of(out), 0.1f);
        Operand<TFloat32> y = tf.withName("conv").nn.conv2d(x.x(), kernel,
                List.of(1L, (long) stride, (long) stride, 1L), "SAME");
        y = tf.withName("bias_add").nn.biasAdd(y, bias);
        return relu6 ? new Act(tf.withName("relu6").nn.relu6(y), RELU_MEAN_SQUARE) : new Act(y, 1.0);
    }

    /** 3x3 depthwise convolution, stride s, SAME padding, folded-BN bias, relu6; scaled as {@link #conv}. */
    private static Act depthwise(Ops tf, Weights w, Act x, int channels, int stride) {
        float limit = (float) Math.sqrt(3.0 / (9 * x.meanSquare()));
        Operand<TFloat32> kernel = w.constant(tf.withName("kernel"), Shape.of(3, 3, channels, 1), limit);
        Operand<TFloat32> bias = w.constant(tf.withName("bias"), Shape.of(channels), 0.1f);
        Operand<TFloat32> y = tf.withName("depthwise").nn.depthwiseConv2dNative(x.x(), kernel,
                List.of(1L, (long) stride, (long) stride, 1L), "SAME");
        y = tf.withName("bias_add").nn.biasAdd(y, bias);
        return new Act(tf.withName("relu6").nn.relu6(y), RELU_MEAN_SQUARE);
    }

    /** Deterministic weights: uniform in [-limit, limit) from one {@link SplittableRandom}, drawn in graph order. */
    static final class Weights {
        private final SplittableRandom random;
        long count;

        Weights(long seed) {
            this.random = new SplittableRandom(seed);
        }

        float[] uniform(int n, float limit) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
            count += n;
            return v;
        }

        Operand<TFloat32> constant(Ops tf, Shape shape, float limit) {
            float[] values = uniform(Math.toIntExact(shape.size()), limit);
            return tf.constant(shape, DataBuffers.of(values, true, false));
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    /** Temporary directories are created owner-only (rwx------); a finished model directory is rwxr-xr-x. */
    static void makeReadable(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debug("cannot set permissions of {}: {}", dir, e.toString());
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    /** Builds the default model into a directory: {@code DefaultModel [DIR]} (default: {@link #defaultDirectory()}). */
    public static void main(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : defaultDirectory();
        long t0 = System.nanoTime();
        Path built = ensure(dir);
        System.out.println(NAME + " (" + DESCRIPTION + ") ready in " + built + " after "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
