package io.loadgen.server.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model directory as found on disk: a SavedModel ({@code saved_model.pb}, {@code variables/}) plus the optional
 * {@link ModelSidecar sidecar} {@code loadgen-model.json}, labels file and thresholds CSV. Opening it checks the files;
 * what only the loaded SavedModel knows (input shape, number of classes) is merged in by the {@code resolve*} methods.
 *
 * <p>Defaults without a sidecar (or for what it leaves out): name = the directory's name; input size and channels from
 * the signature's input shape {@code [-1, H, W, C]}; scale 1/255, offset 0; labels from {@code labels.txt} when that
 * file exists, else {@code class_0 .. class_{k-1}}; thresholds from {@code thresholds.csv} when it exists, else none;
 * signature {@code serving_default}; trained = true (an unknown SavedModel is taken to be a real model).
 */
public final class ModelDirectory {
    /** The SavedModel's graph file. */
    public static final String SAVED_MODEL_FILE = "saved_model.pb";
    /** Labels file used when the sidecar names none and it exists. */
    public static final String DEFAULT_LABELS_FILE = "labels.txt";
    /** Thresholds file used when the sidecar names none and it exists. */
    public static final String DEFAULT_THRESHOLDS_FILE = "thresholds.csv";
    /** Default signature key ({@code serving_default}, what Keras {@code model.export()} writes). */
    public static final String DEFAULT_SIGNATURE = "serving_default";

    private final Path path;
    private final ModelSidecar sidecar;
    private final Path labelsFile;
    private final List<String> labels;
    private final Path thresholdsFile;

    private ModelDirectory(Path path, ModelSidecar sidecar, Path labelsFile, List<String> labels,
            Path thresholdsFile) {
        this.path = path;
        this.sidecar = sidecar;
        this.labelsFile = labelsFile;
        this.labels = labels;
        this.thresholdsFile = thresholdsFile;
    }

    /**
     * Opens and checks a model directory (files only; the SavedModel is not loaded).
     *
     * @throws ModelLoadException naming the directory or file and what is wrong
     */
    public static ModelDirectory open(Path dir) {
        Path path = dir.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new ModelLoadException("model directory " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new ModelLoadException("model path " + path + " is not a directory (expected a SavedModel directory"
                    + " holding " + SAVED_MODEL_FILE + ")");
        }
        if (!Files.isRegularFile(path.resolve(SAVED_MODEL_FILE))
                && !Files.isRegularFile(path.resolve("saved_model.pbtxt"))) {
            throw new ModelLoadException("model directory " + path + " is not a SavedModel: it has no "
                    + SAVED_MODEL_FILE);
        }
        Path sidecarFile = path.resolve(ModelSidecar.FILE_NAME);
        ModelSidecar sidecar = Files.exists(sidecarFile) ? ModelSidecar.read(sidecarFile) : null;

        Path labelsFile = null;
        if (sidecar != null && sidecar.labels() != null) {
            labelsFile = inside(path, sidecar.labels(), sidecarFile, "labels");
            if (!Files.isRegularFile(labelsFile)) {
                throw new ModelLoadException("labels file " + labelsFile + " named by " + sidecarFile
                        + " does not exist");
            }
        } else if (Files.isRegularFile(path.resolve(DEFAULT_LABELS_FILE))) {
            labelsFile = path.resolve(DEFAULT_LABELS_FILE);
        }
        List<String> labels = labelsFile == null ? null : readLabels(labelsFile);

        Path thresholdsFile = null;
        if (sidecar != null && sidecar.thresholds() != null) {
            thresholdsFile = inside(path, sidecar.thresholds(), sidecarFile, "thresholds");
            if (!Files.isRegularFile(thresholdsFile)) {
                throw new ModelLoadException("thresholds file " + thresholdsFile + " named by " + sidecarFile
                        + " does not exist");
            }
        } else if (Files.isRegularFile(path.resolve(DEFAULT_THRESHOLDS_FILE))) {
            thresholdsFile = path.resolve(DEFAULT_THRESHOLDS_FILE);
        }
        return new ModelDirectory(path, sidecar, labelsFile, labels, thresholdsFile);
    }

    private static Path inside(Path dir, String name, Path sidecarFile, String key) {
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir) || Path.of(name).isAbsolute()) {
            throw new ModelLoadException("sidecar " + sidecarFile + ": '" + key + "' must name a file inside "
                    + dir + ", got '" + name + "'");
        }
        return p;
    }

    /**
     * Reads a labels file: one class name per line, line i = class id i; trailing empty lines are ignored, an empty
     * line before the end or a repeated name is an error.
     */
    public static List<String> readLabels(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("labels file " + file + " does not exist");
        } catch (IOException e) {
            throw new ModelLoadException("cannot read labels file " + file + " (expected UTF-8 text): " + e, e);
        }
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        if (end == 0) {
            throw new ModelLoadException("labels file " + file + " is empty (expected one class name per line)");
        }
        List<String> labels = new ArrayList<>(end);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < end; i++) {
            String label = lines.get(i).strip();
            if (i == 0 && label.startsWith("\uFEFF")) {
                label = label.substring(1).strip();
            }
            if (label.isEmpty()) {
                throw new ModelLoadException("labels file " + file + ": line " + (i + 1)
                        + " is empty (expected one class name per line)");
            }
            Integer before = seen.putIfAbsent(label, i);
            if (before != null) {
                throw new ModelLoadException("labels file " + file + ": line " + (i + 1) + " repeats '" + label
                        + "' of line " + (before + 1));
            }
            labels.add(label);
        }
        return List.copyOf(labels);
    }

    /** @return the directory, absolute and normalized */
    public Path path() {
        return path;
    }

    /** @return the sidecar, if the directory has one */
    public Optional<ModelSidecar> sidecar() {
        return Optional.ofNullable(sidecar);
    }

    /** @return the model name: the sidecar's, else the directory's name */
    public String name() {
        if (sidecar != null && sidecar.name() != null) {
            return sidecar.name();
        }
        Path file = path.getFileName();
        return file == null ? "model" : file.toString();
    }

    /** @return the sidecar's description, else one naming the directory */
    public String description() {
        if (sidecar != null && sidecar.description() != null) {
            return sidecar.description();
        }
        return "SavedModel from " + path;
    }

    /** @return whether the weights are trained: the sidecar's word, else true */
    public boolean trained() {
        return sidecar == null || sidecar.trained() == null || sidecar.trained();
    }

    /** @return the signature key the sidecar names, if any */
    public Optional<String> signatureKey() {
        return Optional.ofNullable(sidecar == null ? null : sidecar.signature());
    }

    /** @return the signature input key the sidecar names, if any */
    public Optional<String> inputKey() {
        return Optional.ofNullable(sidecar == null ? null : sidecar.input());
    }

    /** @return the signature output key the sidecar names, if any */
    public Optional<String> outputKey() {
        return Optional.ofNullable(sidecar == null ? null : sidecar.output());
    }

    /** @return the labels file in use, if any */
    public Optional<Path> labelsFile() {
        return Optional.ofNullable(labelsFile);
    }

    /** @return the labels read from the labels file, if any */
    public Optional<List<String>> labels() {
        return Optional.ofNullable(labels);
    }

    /** @return the thresholds file in use, if any */
    public Optional<Path> thresholdsFile() {
        return Optional.ofNullable(thresholdsFile);
    }

    /**
     * Merges the sidecar's preprocessing with the signature's input shape.
     *
     * @param inputShape the signature's input shape, {@code [-1, H, W, C]}, -1 for unknown dimensions
     * @throws ModelLoadException when the shape is not NHWC, a size is neither known nor given, or the sidecar
     *     contradicts the signature
     */
    public Preprocessing resolvePreprocessing(long[] inputShape) {
        String where = "model " + path;
        if (inputShape == null || inputShape.length != 4) {
            throw new ModelLoadException(where + ": the signature's input must be an NHWC image batch of rank 4, got "
                    + (inputShape == null ? "unknown rank" : java.util.Arrays.toString(inputShape)));
        }
        ModelSidecar.PreprocessingSpec spec = sidecar == null ? null : sidecar.preprocessing();
        int height = dim(inputShape[1], spec == null ? null : spec.height(), "height", where);
        int width = dim(inputShape[2], spec == null ? null : spec.width(), "width", where);
        int channels = dim(inputShape[3], spec == null ? null : spec.channels(), "channels", where);
        float scale = spec != null && spec.scale() != null ? spec.scale() : 1f / 255f;
        float offset = spec != null && spec.offset() != null ? spec.offset() : 0f;
        try {
            return new Preprocessing(height, width, channels, scale, offset);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(where + ": " + e.getMessage(), e);
        }
    }

    private int dim(long fromSignature, Integer fromSidecar, String what, String where) {
        if (fromSidecar != null) {
            if (fromSignature > 0 && fromSignature != fromSidecar) {
                throw new ModelLoadException("sidecar " + path.resolve(ModelSidecar.FILE_NAME) + ": 'preprocessing."
                        + what + "' is " + fromSidecar + " but the SavedModel's signature says " + fromSignature);
            }
            return fromSidecar;
        }
        if (fromSignature > 0 && fromSignature <= Integer.MAX_VALUE) {
            return (int) fromSignature;
        }
        throw new ModelLoadException(where + ": the signature leaves the input " + what + " unknown; give it as "
                + "'preprocessing." + what + "' in " + ModelSidecar.FILE_NAME);
    }

    /**
     * The class names for a model with {@code numClasses} outputs.
     *
     * @throws ModelLoadException naming the labels file when its count differs from the model's output size
     */
    public List<String> resolveClasses(int numClasses) {
        if (labels != null) {
            if (labels.size() != numClasses) {
                throw new ModelLoadException("labels file " + labelsFile + " has " + labels.size()
                        + " labels but the model outputs " + numClasses + " classes");
            }
            return labels;
        }
        List<String> generated = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            generated.add("class_" + i);
        }
        return List.copyOf(generated);
    }

    /** @return the thresholds from the thresholds file, or {@link Thresholds#none()} */
    public Thresholds resolveThresholds(List<String> classes) {
        return thresholdsFile == null ? Thresholds.none() : Thresholds.read(thresholdsFile, classes);
    }

    @Override
    public String toString() {
        return "ModelDirectory[" + path + "]";
    }
}
