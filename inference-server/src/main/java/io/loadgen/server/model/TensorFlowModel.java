package io.loadgen.server.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * A {@link Model} backed by a TensorFlow SavedModel (tag {@code serve}), run with TensorFlow Java 1.1.
 *
 * <p>The input and output tensors and the input shape come from the signature ({@code serving_default} unless the
 * options or the sidecar name another), so a Keras {@code model.export()} directory works as it is. The input must be
 * a float32 NHWC batch {@code [-1, H, W, C]} and the output a float32 {@code [-1, classes]} batch. Sizes the signature
 * leaves unknown come from the sidecar (see {@link ModelDirectory}).
 *
 * <p>{@link #predict} is thread-safe (the TensorFlow {@code Session} is; each call makes its own tensors), though on a
 * CPU concurrent calls add no throughput: batching does. {@link #close} waits for calls in progress. The first run at
 * a new batch size is slow (100-860 ms for MobileNetV2): call {@link #warmUp(int)} before taking traffic.
 */
public final class TensorFlowModel implements Model {
    private static final Logger LOG = LoggerFactory.getLogger(TensorFlowModel.class);

    /** The SavedModel tag loaded. */
    public static final String TAG = "serve";

    /**
     * How to load a model.
     *
     * @param intraOpThreads threads one op may use; 0 = TensorFlow's default (all cores)
     * @param interOpThreads ops run at once; 0 = TensorFlow's default (all cores)
     * @param signatureKey the signature to use; null = the sidecar's, else {@code serving_default}, else the only one
     */
    public record Options(int intraOpThreads, int interOpThreads, String signatureKey) {
        public Options {
            if (intraOpThreads < 0 || interOpThreads < 0) {
                throw new IllegalArgumentException("thread counts must be >= 0 (0 = TensorFlow's default), got intra "
                        + intraOpThreads + ", inter " + interOpThreads);
            }
        }

        /** @return TensorFlow's default threads, signature from the sidecar or {@code serving_default} */
        public static Options defaults() {
            return new Options(0, 0, null);
        }

        /** @return a copy with these session thread counts (0 = TensorFlow's default) */
        public Options withThreads(int intraOp, int interOp) {
            return new Options(intraOp, interOp, signatureKey);
        }

        /** @return a copy using this signature key */
        public Options withSignatureKey(String key) {
            return new Options(intraOpThreads, interOpThreads, key);
        }

        /**
         * The session configuration: the thread counts, soft placement (ops without a GPU kernel fall back to the
         * CPU). oneDNN is left as TensorFlow sets it (on for x86-64 Linux builds; turning it off halves the speed).
         */
        public ConfigProto toConfigProto() {
            return ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(intraOpThreads)
                    .setInterOpParallelismThreads(interOpThreads)
                    .setAllowSoftPlacement(true)
                    .build();
        }
    }

    private final ModelDirectory directory;
    private final SavedModelBundle bundle;
    private final Session session;
    private final String signatureKey;
    private final String inputName;
    private final String outputName;
    private final ModelInfo info;
    private final Thresholds thresholds;
    private final int height;
    private final int width;
    private final int channels;
    private final int valuesPerImage;
    private final int numClasses;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private TensorFlowModel(ModelDirectory directory, SavedModelBundle bundle, String signatureKey, String inputName,
            String outputName, int numClasses, ModelInfo info, Thresholds thresholds) {
        this.directory = directory;
        this.bundle = bundle;
        this.session = bundle.session();
        this.signatureKey = signatureKey;
        this.inputName = inputName;
        this.outputName = outputName;
        Preprocessing p = info.preprocessing();
        this.height = p.height();
        this.width = p.width();
        this.channels = p.channels();
        this.valuesPerImage = p.valuesPerImage();
        this.numClasses = numClasses;
        this.info = info;
        this.thresholds = thresholds;
    }

    /** Loads a model directory with default options. */
    public static TensorFlowModel load(Path dir) {
        return load(ModelDirectory.open(dir), Options.defaults());
    }

    /** Loads a model directory. */
    public static TensorFlowModel load(Path dir, Options options) {
        return load(ModelDirectory.open(dir), options);
    }

    /**
     * Loads an opened model directory.
     *
     * @throws ModelLoadException naming the directory or file and what is wrong
     */
    public static TensorFlowModel load(ModelDirectory dir, Options options) {
        long start = System.nanoTime();
        ConfigProto config = options.toConfigProto();
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.path().toString()).withTags(TAG).withConfigProto(config).load();
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot load the SavedModel in " + dir.path() + " (tag '" + TAG + "'): "
                    + e.getMessage(), e);
        }
        try {
            Signature signature = chooseSignature(dir, options, bundle);
            Map.Entry<String, Signature.TensorDescription> in =
                    chooseTensor(dir, signature, signature.getInputs(), dir.inputKey().orElse(null), "input");
            Map.Entry<String, Signature.TensorDescription> out =
                    chooseTensor(dir, signature, signature.getOutputs(), dir.outputKey().orElse(null), "output");
            requireFloat(dir, signature, in, "input");
            requireFloat(dir, signature, out, "output");
            Preprocessing preprocessing = dir.resolvePreprocessing(dims(in.getValue().shape));

            String inputName = in.getValue().name;
            String outputName = out.getValue().name;
            long[] outShape = dims(out.getValue().shape);
            int classes;
            if (outShape != null && outShape.length == 2 && outShape[1] > 0) {
                classes = Math.toIntExact(outShape[1]);
            } else {
                classes = probeClasses(dir, signature, bundle.session(), inputName, outputName, preprocessing);
            }
            List<String> names = dir.resolveClasses(classes);
            Thresholds thresholds = dir.resolveThresholds(names);
            String device = Devices.primary(config);
            ModelInfo info = new ModelInfo(dir.name(), dir.description(), preprocessing, names, device, dir.trained());
            TensorFlowModel model = new TensorFlowModel(dir, bundle, signature.key(), inputName, outputName, classes,
                    info, thresholds);
            LOG.info("loaded model '{}' from {} in {} ms: signature '{}', input {} {}, output {} [-1, {}], device {}, "
                    + "threads intra {} inter {}", info.name(), dir.path(), (System.nanoTime() - start) / 1_000_000,
                    signature.key(), model.inputName, Arrays.toString(new int[] {-1, preprocessing.height(),
                            preprocessing.width(), preprocessing.channels()}), model.outputName, classes, device,
                    options.intraOpThreads(), options.interOpThreads());
            return model;
        } catch (RuntimeException | Error e) {
            bundle.close();
            throw e;
        }
    }

    private static Signature chooseSignature(ModelDirectory dir, Options options, SavedModelBundle bundle) {
        List<Signature> signatures = bundle.signatures();
        TreeSet<String> keys = new TreeSet<>();
        signatures.forEach(s -> keys.add(s.key()));
        String wanted = options.signatureKey() != null ? options.signatureKey() : dir.signatureKey().orElse(null);
        String key = wanted != null ? wanted : ModelDirectory.DEFAULT_SIGNATURE;
        for (Signature s : signatures) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        if (wanted == null && signatures.size() == 1) {
            return signatures.get(0);
        }
        throw new ModelLoadException("the SavedModel in " + dir.path() + " has no signature '" + key
                + "' (it has " + keys + ")");
    }

    private static Map.Entry<String, Signature.TensorDescription> chooseTensor(ModelDirectory dir,
            Signature signature, Map<String, Signature.TensorDescription> tensors, String wanted, String what) {
        if (wanted != null) {
            Signature.TensorDescription d = tensors.get(wanted);
            if (d == null) {
                throw new ModelLoadException("sidecar " + dir.path().resolve(ModelSidecar.FILE_NAME) + " names "
                        + what + " '" + wanted + "' but signature '" + signature.key() + "' has " + what + "s "
                        + new TreeSet<>(tensors.keySet()));
            }
            return Map.entry(wanted, d);
        }
        if (tensors.size() != 1) {
            throw new ModelLoadException("signature '" + signature.key() + "' of " + dir.path() + " has "
                    + tensors.size() + " " + what + "s " + new TreeSet<>(tensors.keySet()) + "; name the one to use as '"
                    + what + "' in " + ModelSidecar.FILE_NAME);
        }
        return tensors.entrySet().iterator().next();
    }

    private static void requireFloat(ModelDirectory dir, Signature signature,
            Map.Entry<String, Signature.TensorDescription> t, String what) {
        if (t.getValue().dataType != DataType.DT_FLOAT) {
            throw new ModelLoadException("signature '" + signature.key() + "' of " + dir.path() + ": " + what + " '"
                    + t.getKey() + "' is " + t.getValue().dataType + ", expected DT_FLOAT (float32)");
        }
    }

    private static long[] dims(Shape shape) {
        return shape == null || shape.isUnknown() ? null : shape.asArray();
    }

    /** Runs one zero image to learn the number of classes when the signature leaves it unknown. */
    private static int probeClasses(ModelDirectory dir, Signature signature, Session session, String inputName,
            String outputName, Preprocessing p) {
        try (TFloat32 input = TFloat32.tensorOf(Shape.of(1, p.height(), p.width(), p.channels()));
                Result result = session.runner().feed(inputName, input).fetch(outputName).run()) {
            Shape s = result.get(0).shape();
            if (s.numDimensions() != 2 || s.get(0) != 1 || s.get(1) < 1) {
                throw new ModelLoadException("signature '" + signature.key() + "' of " + dir.path()
                        + ": output must be [batch, classes], got " + s + " for a batch of 1");
            }
            return Math.toIntExact(s.get(1));
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** @return the per-class score thresholds of this model ({@link Thresholds#none()} when it has none) */
    @Override
    public Thresholds thresholds() {
        return thresholds;
    }

    /** @return the directory the model was loaded from */
    public ModelDirectory directory() {
        return directory;
    }

    /** @return the signature key in use */
    public String signatureKey() {
        return signatureKey;
    }

    /** @return the graph tensor fed, e.g. {@code serving_default_input:0} */
    public String inputName() {
        return inputName;
    }

    /** @return the graph tensor fetched */
    public String outputName() {
        return outputName;
    }

    @Override
    public float[][] predict(float[] pixels, int n) {
        if (pixels == null) {
            throw new IllegalArgumentException("pixels is null");
        }
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        }
        long expected = (long) n * valuesPerImage;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " values (" + n + " x " + height + " x "
                    + width + " x " + channels + "), got " + pixels.length);
        }
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            if (closed) {
                throw new IllegalStateException("model '" + info.name() + "' is closed");
            }
            try (TFloat32 input = TFloat32.tensorOf(Shape.of(n, height, width, channels),
                    DataBuffers.of(pixels, true, false));
                    Result result = session.runner().feed(inputName, input).fetch(outputName).run()) {
                Tensor t = result.get(0);
                if (!(t instanceof TFloat32 output)) {
                    throw new IllegalStateException("output " + outputName + " is " + t.dataType()
                            + ", expected float32");
                }
                Shape s = output.shape();
                if (s.numDimensions() != 2 || s.get(0) != n || s.get(1) != numClasses) {
                    throw new IllegalStateException("output " + outputName + " has shape " + s + ", expected [" + n
                            + ", " + numClasses + "]");
                }
                float[] flat = new float[n * numClasses];
                output.copyTo(DataBuffers.of(flat, false, false));
                float[][] rows = new float[n][];
                for (int i = 0; i < n; i++) {
                    rows[i] = Arrays.copyOfRange(flat, i * numClasses, (i + 1) * numClasses);
                }
                return rows;
            }
        } finally {
            read.unlock();
        }
    }

    /**
     * Runs every batch size from 1 to {@code maxBatch} once, so that no request pays for TensorFlow's first run at a
     * new size; logs and returns the time it took.
     */
    public Duration warmUp(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        int[] sizes = new int[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            sizes[i] = i + 1;
        }
        return warmUp(sizes);
    }

    /** Runs each of these batch sizes once (e.g. {@link #powersOfTwoAnd(int)}); logs and returns the time it took. */
    public Duration warmUp(int... batchSizes) {
        long start = System.nanoTime();
        long slowest = 0;
        int slowestSize = 0;
        float[] pixels = new float[0];
        for (int n : batchSizes) {
            if (n < 1) {
                throw new IllegalArgumentException("batch sizes must be >= 1, got " + n);
            }
            if (pixels.length != n * valuesPerImage) {
                pixels = new float[n * valuesPerImage];
                Arrays.fill(pixels, info.preprocessing().offset() + 127.5f * info.preprocessing().scale());
            }
            long t0 = System.nanoTime();
            predict(pixels, n);
            long took = System.nanoTime() - t0;
            if (took > slowest) {
                slowest = took;
                slowestSize = n;
            }
        }
        Duration total = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("warmed up model '{}' at {} batch sizes (up to {}) in {} ms; slowest: batch {} in {} ms",
                info.name(), batchSizes.length, Arrays.stream(batchSizes).max().orElse(0), total.toMillis(),
                slowestSize, slowest / 1_000_000);
        return total;
    }

    /** @return 1, 2, 4, ... up to {@code max}, and {@code max} itself: a cheaper warm-up than every size */
    public static int[] powersOfTwoAnd(int max) {
        List<Integer> sizes = new ArrayList<>();
        for (int s = 1; s < max; s *= 2) {
            sizes.add(s);
        }
        sizes.add(max);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Closes the session and graph; waits for predictions in progress. Idempotent. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        write.lock();
        try {
            if (!closed) {
                closed = true;
                bundle.close();
            }
        } finally {
            write.unlock();
        }
    }

    @Override
    public String toString() {
        return "TensorFlowModel[" + (info != null ? info.name() : "?") + " from " + directory.path() + "]";
    }
}
