package io.loadgen.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Request bodies of the Open Inference Protocol (KServe v2 {@code POST /v2/models/{name}/infer}) made from the
 * model's own metadata ({@code GET /v2/models/{name}}), as perf_analyzer does: each payload image as the model's
 * BYTES input (one element, base64 in JSON), or random FP32 tensors of the model's input shape (batch 1) for a model
 * that is not an image model. Bodies are made once, when the workload is built. Immutable.
 */
public final class KServeShape {
    /** Distinct random bodies made for {@code --input-data random}: cycled through like payload files. */
    public static final int RANDOM_BODIES = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private KServeShape() {
    }

    /**
     * @param metadata the model's metadata document
     * @param payloads the image files, or empty with {@code random}
     * @param random whether to send random tensors instead of the payload images
     * @param seed the random tensors' seed
     * @return one body per payload (or {@link #RANDOM_BODIES} random ones), as JSON payloads
     * @throws IllegalArgumentException when the model has no input the choice can fill, saying what it has
     */
    public static List<Payload> bodies(JsonNode metadata, List<Payload> payloads, boolean random, long seed) {
        JsonNode inputs = metadata.path("inputs");
        List<Payload> out = new ArrayList<>();
        if (!random) {
            JsonNode bytes = find(inputs, "BYTES").orElseThrow(() -> new IllegalArgumentException("model '"
                    + metadata.path("name").asText() + "' has no BYTES input for images (its inputs: " + inputs
                    + "): use --input-data random for tensors of its input's shape"));
            if (payloads.isEmpty()) {
                throw new IllegalArgumentException("--request kserve-v2 sends the payload images as the BYTES input '"
                        + bytes.path("name").asText() + "': give --payload DIR, or --input-data random");
            }
            for (Payload p : payloads) {
                ObjectNode in = input(bytes.path("name").asText(), "BYTES", new long[] {1});
                in.putArray("data").add(Base64.getEncoder().encodeToString(p.bytes()));
                out.add(new Payload(p.name(), body(in), "application/json", p.label()));
            }
            return out;
        }
        JsonNode fp32 = find(inputs, "FP32").orElseThrow(() -> new IllegalArgumentException("model '"
                + metadata.path("name").asText() + "' has no FP32 input for random data (its inputs: " + inputs + ")"));
        JsonNode dims = fp32.path("shape");
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i).asLong();
            shape[i] = d < 0 ? 1 : d; // a variable dimension (the batch) is 1
            count *= shape[i];
        }
        if (count > (16 << 20)) {
            throw new IllegalArgumentException("input '" + fp32.path("name").asText() + "' of shape " + dims
                    + " holds " + count + " values: too many for a JSON body");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int b = 0; b < RANDOM_BODIES; b++) {
            ObjectNode in = input(fp32.path("name").asText(), "FP32", shape);
            ArrayNode data = in.putArray("data");
            for (long i = 0; i < count; i++) {
                data.add((float) rnd.nextDouble());
            }
            out.add(new Payload(String.format(Locale.ROOT, "random-%02d", b), body(in), "application/json"));
        }
        return out;
    }

    private static Optional<JsonNode> find(JsonNode inputs, String datatype) {
        for (JsonNode in : inputs) {
            if (datatype.equals(in.path("datatype").asText())) {
                return Optional.of(in);
            }
        }
        return Optional.empty();
    }

    private static ObjectNode input(String name, String datatype, long[] shape) {
        ObjectNode in = JSON.createObjectNode().put("name", name).put("datatype", datatype);
        ArrayNode s = in.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        return in;
    }

    private static byte[] body(ObjectNode input) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("inputs").add(input);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
