package io.loadgen.server.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The optional {@code loadgen-model.json} beside a SavedModel: what the SavedModel itself cannot say. Every field is
 * optional; a missing field takes its value from the signature or a default (see {@link ModelDirectory}).
 *
 * <pre>{@code
 * {
 *   "name": "fashion-mnist-cnn",
 *   "description": "one line for people",
 *   "trained": true,
 *   "preprocessing": {"height": 28, "width": 28, "channels": 1, "scale": 0.003921569, "offset": 0},
 *   "labels": "labels.txt",          // one class name per line, line i = class id i
 *   "thresholds": "thresholds.csv",  // class,threshold lines; default: thresholds.csv when present
 *   "signature": "serving_default",  // signature key
 *   "input": "input",                // signature input key, needed only when the signature has several
 *   "output": "probabilities"        // signature output key, needed only when the signature has several
 * }
 * }</pre>
 * {@code scale} may also be written as a fraction string such as {@code "1/255"}. Unknown keys are rejected.
 *
 * @param name model name
 * @param description one line for people
 * @param trained whether the weights were trained
 * @param preprocessing input size, channels and scaling (each part optional)
 * @param labels labels file name, relative to the model directory
 * @param thresholds thresholds CSV file name, relative to the model directory
 * @param signature signature key
 * @param input signature input key
 * @param output signature output key
 */
public record ModelSidecar(String name, String description, Boolean trained, PreprocessingSpec preprocessing,
        String labels, String thresholds, String signature, String input, String output) {

    /** The file name looked for in a model directory. */
    public static final String FILE_NAME = "loadgen-model.json";

    private static final Set<String> KEYS = Set.of("name", "description", "trained", "preprocessing", "labels",
            "thresholds", "signature", "input", "output");
    private static final Set<String> PREPROCESSING_KEYS = Set.of("height", "width", "channels", "scale", "offset");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The preprocessing part of the sidecar; null members are taken from the signature or defaults.
     *
     * @param height input height
     * @param width input width
     * @param channels 1 or 3
     * @param scale multiplier of each 0..255 value
     * @param offset added after scaling
     */
    public record PreprocessingSpec(Integer height, Integer width, Integer channels, Float scale, Float offset) {
        /** @return a complete spec */
        public static PreprocessingSpec of(Preprocessing p) {
            return new PreprocessingSpec(p.height(), p.width(), p.channels(), p.scale(), p.offset());
        }
    }

    /** @return a sidecar with every field set from a complete description */
    public static ModelSidecar of(String name, String description, boolean trained, Preprocessing preprocessing,
            String labelsFile, String signature) {
        return new ModelSidecar(name, description, trained, PreprocessingSpec.of(preprocessing), labelsFile, null,
                signature, null, null);
    }

    /**
     * Reads and checks a sidecar file.
     *
     * @throws ModelLoadException naming the file and the key that is wrong
     */
    public static ModelSidecar read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("sidecar " + file + " does not exist");
        } catch (IOException e) {
            throw new ModelLoadException("cannot read sidecar " + file + ": " + e, e);
        }
        return parse(text, file.toString());
    }

    /** Parses sidecar JSON; {@code source} names it in error messages. */
    public static ModelSidecar parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException("sidecar " + source + " is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() : ""), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException("sidecar " + source + " must hold a JSON object");
        }
        checkKeys(root, KEYS, source, "");
        PreprocessingSpec pre = null;
        JsonNode p = root.get("preprocessing");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new ModelLoadException("sidecar " + source + ": 'preprocessing' must be an object");
            }
            checkKeys(p, PREPROCESSING_KEYS, source, "preprocessing.");
            pre = new PreprocessingSpec(positiveInt(p, "height", source), positiveInt(p, "width", source),
                    positiveInt(p, "channels", source), number(p, "scale", source), number(p, "offset", source));
            if (pre.channels() != null && pre.channels() != 1 && pre.channels() != 3) {
                throw new ModelLoadException("sidecar " + source + ": 'preprocessing.channels' must be 1 or 3, got "
                        + pre.channels());
            }
        }
        Boolean trained = null;
        JsonNode t = root.get("trained");
        if (t != null && !t.isNull()) {
            if (!t.isBoolean()) {
                throw new ModelLoadException("sidecar " + source + ": 'trained' must be true or false, got " + t);
            }
            trained = t.booleanValue();
        }
        return new ModelSidecar(text(root, "name", source), text(root, "description", source), trained, pre,
                text(root, "labels", source), text(root, "thresholds", source), text(root, "signature", source),
                text(root, "input", source), text(root, "output", source));
    }

    /** Writes this sidecar as pretty JSON, leaving out null fields. */
    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        putIfSet(root, "name", name);
        putIfSet(root, "description", description);
        if (trained != null) {
            root.put("trained", trained);
        }
        if (preprocessing != null) {
            ObjectNode p = root.putObject("preprocessing");
            if (preprocessing.height() != null) {
                p.put("height", preprocessing.height());
            }
            if (preprocessing.width() != null) {
                p.put("width", preprocessing.width());
            }
            if (preprocessing.channels() != null) {
                p.put("channels", preprocessing.channels());
            }
            if (preprocessing.scale() != null) {
                p.put("scale", preprocessing.scale());
            }
            if (preprocessing.offset() != null) {
                p.put("offset", preprocessing.offset());
            }
        }
        putIfSet(root, "labels", labels);
        putIfSet(root, "thresholds", thresholds);
        putIfSet(root, "signature", signature);
        putIfSet(root, "input", input);
        putIfSet(root, "output", output);
        Files.writeString(file, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    }

    private static void putIfSet(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }

    private static void checkKeys(JsonNode node, Set<String> known, String source, String prefix) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = field.getKey();
            if (!known.contains(key)) {
                throw new ModelLoadException("sidecar " + source + ": unknown key '" + prefix + key + "' (known: "
                        + known.stream().sorted().map(k -> prefix + k).toList() + ")");
            }
        }
    }

    private static String text(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new ModelLoadException("sidecar " + source + ": '" + key + "' must be a non-empty string, got " + v);
        }
        return v.textValue();
    }

    private static Integer positiveInt(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw new ModelLoadException("sidecar " + source + ": 'preprocessing." + key
                    + "' must be a positive integer, got " + v);
        }
        return v.intValue();
    }

    private static Float number(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        float f;
        if (v.isNumber()) {
            f = v.floatValue();
        } else if (v.isTextual() && v.textValue().matches("\\s*-?[0-9.]+\\s*/\\s*[0-9.]+\\s*")) {
            String[] parts = v.textValue().split("/");
            f = (float) (Double.parseDouble(parts[0].strip()) / Double.parseDouble(parts[1].strip()));
        } else {
            throw new ModelLoadException("sidecar " + source + ": 'preprocessing." + key
                    + "' must be a number (or a fraction string like \"1/255\"), got " + v);
        }
        if (!Float.isFinite(f)) {
            throw new ModelLoadException("sidecar " + source + ": 'preprocessing." + key + "' must be finite, got "
                    + v);
        }
        return f;
    }
}
