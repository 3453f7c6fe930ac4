package io.loadgen.server.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains the small Fashion-MNIST CNN that the server's correctness tests use, with TensorFlow Java alone, and exports
 * it as a SavedModel with its sidecar and labels.
 *
 * <p>Network: conv 5x5x32 + relu + maxpool 2, conv 5x5x64 + relu + maxpool 2, dense 128 + relu, dense 10 (softmax in
 * the exported graph). Loss: softmax cross-entropy on one-hot labels, gradients from {@code tf.gradients}, updates by the core
 * {@code ApplyAdam} op (beta powers fed each step). Weights start He-uniform from {@link SplittableRandom} with a fixed
 * seed and the mini-batches are shuffled from the same seed; TensorFlow's multi-threaded float sums make the last
 * digits of a retrained model vary, not its accuracy.
 *
 * <p>The exported graph has the trained weights as constants (no variables): input {@code input} [-1,28,28,1] float
 * in [0, 1] (pixel / 255, white-on-black as stored in the idx files), output {@code probabilities} [-1,10].
 *
 * <pre>
 * FashionMnistTrainer [--data DIR] [--out DIR] [--epochs N] [--batch N] [--lr X] [--seed N] [--threads N]
 * </pre>
 */
public final class FashionMnistTrainer {
    /** Model name written into the sidecar. */
    public static final String NAME = "fashion-mnist-cnn";
    /** Signature input key. */
    public static final String INPUT_KEY = "input";
    /** Signature output key. */
    public static final String OUTPUT_KEY = "probabilities";
    /** Input scaling: pixel / 255, no offset. */
    public static final Preprocessing PREPROCESSING = new Preprocessing(28, 28, 1, 1f / 255f, 0f);

    private static final int PIXELS = 28 * 28;
    private static final int CLASSES = 10;

    /**
     * Training settings.
     *
     * @param data directory of the idx files
     * @param out export directory (replaced)
     * @param epochs passes over the 60,000 training images
     * @param batchSize images per step
     * @param learningRate Adam step size
     * @param seed seed of the initial weights and the shuffles
     * @param threads session threads (intra-op); 0 = all cores
     */
    public record Config(Path data, Path out, int epochs, int batchSize, float learningRate, long seed, int threads) {
        /** @return the settings the committed model was trained with */
        public static Config defaults() {
            return new Config(FashionMnist.DEBIAN_DIR, Path.of("models", "fashion-mnist"), 5, 64, 1e-3f, 20240611L,
                    0);
        }
    }

    /**
     * What training produced.
     *
     * @param testAccuracy accuracy of the exported model on the 10,000 test images
     * @param trainSeconds time spent in training steps
     * @param totalSeconds time from start to the exported model
     * @param parameters number of weights and biases
     * @param directory where the model is
     */
    public record Outcome(double testAccuracy, double trainSeconds, double totalSeconds, long parameters,
            Path directory) {
    }

    /** The trainable tensors, by name, in graph order. */
    private static final String[] PARAMS = {"conv1_kernel", "conv1_bias", "conv2_kernel", "conv2_bias",
        "dense1_kernel", "dense1_bias", "dense2_kernel", "dense2_bias"};
    private static final Shape[] SHAPES = {Shape.of(5, 5, 1, 32), Shape.of(32), Shape.of(5, 5, 32, 64), Shape.of(64),
        Shape.of(7 * 7 * 64, 128), Shape.of(128), Shape.of(128, CLASSES), Shape.of(CLASSES)};
    /** Fan-in of each kernel, for He-uniform (relu layers) and Glorot-uniform (last layer) initialisation. */
    private static final int[] FAN_IN = {25, 0, 25 * 32, 0, 7 * 7 * 64, 0, 128, 0};

    private FashionMnistTrainer() {
    }

    public static void main(String[] args) throws IOException {
        Config c = Config.defaults();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                System.out.println("FashionMnistTrainer [--data DIR] [--out DIR] [--epochs N] [--batch N] [--lr X]"
                        + " [--seed N] [--threads N]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = args[++i];
            c = switch (flag) {
                case "--data" -> new Config(Path.of(v), c.out(), c.epochs(), c.batchSize(), c.learningRate(),
                        c.seed(), c.threads());
                case "--out" -> new Config(c.data(), Path.of(v), c.epochs(), c.batchSize(), c.learningRate(),
                        c.seed(), c.threads());
                case "--epochs" -> new Config(c.data(), c.out(), Integer.parseInt(v), c.batchSize(),
                        c.learningRate(), c.seed(), c.threads());
                case "--batch" -> new Config(c.data(), c.out(), c.epochs(), Integer.parseInt(v), c.learningRate(),
                        c.seed(), c.threads());
                case "--lr" -> new Config(c.data(), c.out(), c.epochs(), c.batchSize(), Float.parseFloat(v),
                        c.seed(), c.threads());
                case "--seed" -> new Config(c.data(), c.out(), c.epochs(), c.batchSize(), c.learningRate(),
                        Long.parseLong(v), c.threads());
                case "--threads" -> new Config(c.data(), c.out(), c.epochs(), c.batchSize(), c.learningRate(),
                        c.seed(), Integer.parseInt(v));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            };
        }
        Outcome o = train(c);
        System.out.printf(Locale.ROOT, "test accuracy %.4f; training %.1f s, total %.1f s; %d parameters; model in %s%n",
                o.testAccuracy(), o.trainSeconds(), o.totalSeconds(), o.parameters(), o.directory());
    }

    /** Trains, exports into {@code config.out()} (replacing it) and measures the exported model on the test set. */
    public static Outcome train(Config config) throws IOException {
        long start = System.nanoTime();
        FashionMnist.Split train = FashionMnist.train(config.data());
        FashionMnist.Split test = FashionMnist.test(config.data());
        log("read %d training and %d test images from %s", train.count(), test.count(), config.data());

        SplittableRandom random = new SplittableRandom(config.seed());
        float[][] initial = new float[PARAMS.length][];
        long parameters = 0;
        for (int p = 0; p < PARAMS.length; p++) {
            int n = Math.toIntExact(SHAPES[p].size());
            initial[p] = new float[n];
            if (FAN_IN[p] > 0) {
                boolean last = p == PARAMS.length - 2;
                double limit = last ? Math.sqrt(6.0 / (FAN_IN[p] + CLASSES)) : Math.sqrt(6.0 / FAN_IN[p]);
                for (int i = 0; i < n; i++) {
                    initial[p][i] = (float) ((random.nextDouble() * 2 - 1) * limit);
                }
            }
            parameters += n;
        }

        long trainStart = System.nanoTime();
        float[][] trained = fit(config, train, initial, random);
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;

        Path out = config.out().toAbsolutePath().normalize();
        Files.createDirectories(out.getParent());
        Path tmp = Files.createTempDirectory(out.getParent(), out.getFileName() + ".tmp-");
        try {
            export(tmp, trained);
            double accuracy;
            try (TensorFlowModel model = TensorFlowModel.load(tmp,
                    TensorFlowModel.Options.defaults().withThreads(config.threads(), 0))) {
                accuracy = accuracy(model, test, test.count());
            }
            writeSidecar(tmp, config, accuracy);
            DefaultModel.makeReadable(tmp);
            if (Files.exists(out)) {
                DefaultModel.deleteRecursively(out);
            }
            Files.move(tmp, out);
            tmp = null;
            double total = (System.nanoTime() - start) / 1e9;
            return new Outcome(accuracy, trainSeconds, total, parameters, out);
        } finally {
            if (tmp != null) {
                DefaultModel.deleteRecursively(tmp);
            }
        }
    }

    /** Runs the training steps; returns the trained values of {@link #PARAMS}. */
    private static float[][] fit(Config config, FashionMnist.Split train, float[][] initial, SplittableRandom random) {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> images = tf.withName("images").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 28, 28, 1)));
            Placeholder<TInt32> labels = tf.withName("labels").placeholder(TInt32.class,
                    Placeholder.shape(Shape.of(-1)));
            Placeholder<TFloat32> beta1Power = tf.withName("beta1_power").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.scalar()));
            Placeholder<TFloat32> beta2Power = tf.withName("beta2_power").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.scalar()));

            List<Variable<TFloat32>> vars = new ArrayList<>();
            for (int p = 0; p < PARAMS.length; p++) {
                vars.add(tf.withName(PARAMS[p]).variable(
                        tf.constant(SHAPES[p], DataBuffers.of(initial[p], true, false))));
            }
            Operand<TFloat32> logits = logits(tf, images, new ArrayList<>(vars));
            // The dense op: TF's C++ gradient registry has SoftmaxCrossEntropyWithLogits but not the sparse one.
            Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f));
            Operand<TFloat32> loss = tf.withName("loss").math.mean(
                    tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(), tf.constant(0));
            List<Output<?>> grads = tf.gradients(loss, vars).dy();

            Operand<TFloat32> lr = tf.constant(config.learningRate());
            Operand<TFloat32> beta1 = tf.constant(0.9f);
            Operand<TFloat32> beta2 = tf.constant(0.999f);
            Operand<TFloat32> epsilon = tf.constant(1e-7f);
            List<Op> updates = new ArrayList<>();
            for (int p = 0; p < PARAMS.length; p++) {
                Ops scope = tf.withSubScope("adam_" + PARAMS[p]);
                Variable<TFloat32> m = scope.withName("m").variable(scope.zeros(scope.constant(SHAPES[p]),
                        TFloat32.class));
                Variable<TFloat32> v = scope.withName("v").variable(scope.zeros(scope.constant(SHAPES[p]),
                        TFloat32.class));
                @SuppressWarnings("unchecked")
                Operand<TFloat32> grad = (Operand<TFloat32>) grads.get(p);
                updates.add(scope.train.applyAdam(vars.get(p), m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon,
                        grad));
            }

            org.tensorflow.proto.ConfigProto cfg = TensorFlowModel.Options.defaults()
                    .withThreads(config.threads(), 0).toConfigProto();
            try (Session session = new Session(graph, cfg)) {
                session.initialize();
                int n = train.count();
                int batch = config.batchSize();
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                float[] x = new float[batch * PIXELS];
                int[] y = new int[batch];
                long step = 0;
                for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                    shuffle(order, random);
                    long t0 = System.nanoTime();
                    double lossSum = 0;
                    int lossCount = 0;
                    int correct = 0;
                    for (int from = 0; from + batch <= n; from += batch) {
                        for (int b = 0; b < batch; b++) {
                            int img = order[from + b];
                            int base = img * PIXELS;
                            for (int i = 0; i < PIXELS; i++) {
                                x[b * PIXELS + i] = train.pixel(base + i) / 255f;
                            }
                            y[b] = train.label(img);
                        }
                        step++;
                        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(batch, 28, 28, 1), DataBuffers.of(x, true, false));
                                TInt32 yt = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(y, true, false));
                                TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(0.9, step));
                                TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(0.999, step))) {
                            Session.Runner runner = session.runner().feed(images, xt).feed(labels, yt)
                                    .feed(beta1Power, b1).feed(beta2Power, b2).fetch(loss).fetch(logits);
                            updates.forEach(runner::addTarget);
                            try (Result r = runner.run()) {
                                lossSum += ((TFloat32) r.get(0)).getFloat();
                                lossCount++;
                                TFloat32 l = (TFloat32) r.get(1);
                                for (int b = 0; b < batch; b++) {
                                    int best = 0;
                                    for (int k = 1; k < CLASSES; k++) {
                                        if (l.getFloat(b, k) > l.getFloat(b, best)) {
                                            best = k;
                                        }
                                    }
                                    if (best == y[b]) {
                                        correct++;
                                    }
                                }
                            }
                        }
                        if (step % 200 == 0) {
                            log("epoch %d step %d: loss %.4f, train accuracy %.4f, %.0f images/s", epoch, step,
                                    lossSum / lossCount, correct / (double) (lossCount * batch),
                                    lossCount * batch / ((System.nanoTime() - t0) / 1e9));
                        }
                    }
                    log("epoch %d done in %.1f s: loss %.4f, train accuracy %.4f", epoch,
                            (System.nanoTime() - t0) / 1e9, lossSum / lossCount, correct / (double) (lossCount * batch));
                }
                float[][] values = new float[PARAMS.length][];
                Session.Runner runner = session.runner();
                vars.forEach(runner::fetch);
                try (Result r = runner.run()) {
                    for (int p = 0; p < PARAMS.length; p++) {
                        values[p] = new float[initial[p].length];
                        ((TFloat32) r.get(p)).copyTo(DataBuffers.of(values[p], false, false));
                    }
                }
                return values;
            }
        }
    }

    /** The network up to the logits; {@code params} in {@link #PARAMS} order. */
    private static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, List<Operand<TFloat32>> params) {
        List<Long> ones = List.of(1L, 1L, 1L, 1L);
        Operand<TInt32> pool = tf.constant(new int[] {1, 2, 2, 1});
        Operand<TFloat32> x = tf.nn.conv2d(images, params.get(0), ones, "SAME");
        x = tf.nn.relu(tf.nn.biasAdd(x, params.get(1)));
        x = tf.nn.maxPool(x, pool, pool, "SAME");
        x = tf.nn.conv2d(x, params.get(2), ones, "SAME");
        x = tf.nn.relu(tf.nn.biasAdd(x, params.get(3)));
        x = tf.nn.maxPool(x, pool, pool, "SAME");
        x = tf.reshape(x, tf.constant(new int[] {-1, 7 * 7 * 64}));
        x = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(x, params.get(4)), params.get(5)));
        return tf.withName("logits").nn.biasAdd(tf.linalg.matMul(x, params.get(6)), params.get(7));
    }

    /** Writes the inference graph with the trained weights as constants. */
    private static void export(Path dir, float[][] values) throws IOException {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> input = tf.withName(INPUT_KEY).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 28, 28, 1)));
            List<Operand<TFloat32>> params = new ArrayList<>();
            for (int p = 0; p < PARAMS.length; p++) {
                params.add(tf.withName(PARAMS[p]).constant(SHAPES[p], DataBuffers.of(values[p], true, false)));
            }
            Operand<TFloat32> probabilities = tf.withName(OUTPUT_KEY).nn.softmax(logits(tf, input, params));
            try (Session session = new Session(graph)) {
                Signature signature = Signature.builder(ModelDirectory.DEFAULT_SIGNATURE)
                        .methodName("tensorflow/serving/predict")
                        .input(INPUT_KEY, input)
                        .output(OUTPUT_KEY, probabilities)
                        .build();
                SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature).export();
            }
        }
        // All weights are constants, so variables/ is empty: drop it (git would not keep it; TF loads without it).
        Path variables = dir.resolve("variables");
        try (var entries = Files.list(variables)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(variables);
            }
        }
        Files.write(dir.resolve(ModelDirectory.DEFAULT_LABELS_FILE), FashionMnist.LABELS, StandardCharsets.UTF_8);
    }

    private static void writeSidecar(Path dir, Config c, double accuracy) throws IOException {
        String description = String.format(Locale.ROOT, "Small CNN trained on Fashion-MNIST (MIT licence) with "
                + "TensorFlow Java: %d epochs, batch %d, Adam %.0e, seed %d; test accuracy %.4f. Input: 28x28 grey, "
                + "white garment on black.", c.epochs(), c.batchSize(), c.learningRate(), c.seed(), accuracy);
        ModelSidecar.of(NAME, description, true, PREPROCESSING, ModelDirectory.DEFAULT_LABELS_FILE,
                ModelDirectory.DEFAULT_SIGNATURE).write(dir.resolve(ModelSidecar.FILE_NAME));
    }

    /**
     * Top-1 accuracy of a model on the first {@code limit} images of a split, preprocessed as the model says.
     */
    public static double accuracy(Model model, FashionMnist.Split split, int limit) {
        Preprocessing p = model.info().preprocessing();
        int n = Math.min(limit, split.count());
        int batch = 500;
        int correct = 0;
        for (int from = 0; from < n; from += batch) {
            int size = Math.min(batch, n - from);
            float[] pixels = new float[size * PIXELS];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = split.pixel(from * PIXELS + i) * p.scale() + p.offset();
            }
            float[][] rows = model.predict(pixels, size);
            for (int b = 0; b < size; b++) {
                if (ClassScore.topK(rows[b], 1, model.info().classes()).get(0).classId() == split.label(from + b)) {
                    correct++;
                }
            }
        }
        return correct / (double) n;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
