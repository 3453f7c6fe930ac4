package io.loadgen.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loadgen.oip.BinaryTensorData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Request bodies of the Open Inference Protocol (KServe v2 {@code POST /v2/models/{name}/infer}, kserve
 * {@code docs/predict-api/v2/required_api.md}) made from the model's own metadata ({@code GET /v2/models/{name}}) and
 * the server's ({@code GET /v2}), as perf_analyzer does. Each payload image goes as one of three things:
 * <ul>
 *   <li>the model's BYTES input, one element holding the encoded file (when the model has a BYTES input, and
 *       {@link Options#input} does not name another);
 *   <li>an FP32 image input of shape {@code [-1,H,W,C]}, {@code [-1,C,H,W]} or the same without the batch
 *       dimension, preprocessed here ({@link ImageTensor}: cover-resize, centre crop, grey or RGB, scaling, layout);
 *   <li>or, with {@link InputData#RANDOM}, random values of each input's shape and type (FP32, FP64, INT32, INT64;
 *       the one {@link Options#input} names, or every input of those types), {@value #RANDOM_BODIES} bodies cycled
 *       through like payload files, for models that are not images.
 * </ul>
 * Only the input an image fills is sent: a model of several inputs that needs them all answers with its own error,
 * which the run counts (the bundled server lists two inputs, of which a request carries one).
 * A variable dimension ({@code -1}) is sent as 1: one item per request. A body is JSON, or the binary tensor data
 * extension (triton-inference-server {@code docs/protocol/extension_binary_data.md}: the JSON, then the tensors'
 * little-endian bytes, with {@code Inference-Header-Content-Length}; a BYTES element is its 4-byte length and its
 * bytes), which is the default when the server lists {@value #BINARY_EXTENSION}. Requested outputs and the
 * classification extension ({@code extension_classification.md}) are options; the answers stay JSON so that checks
 * can read them. Bodies are made once, when the workload is built. Immutable; thread-safe.
 */
public final class KServeShape {
    /** Distinct random bodies made for {@link InputData#RANDOM}. */
    public static final int RANDOM_BODIES = 16;
    /** The binary tensor data extension's name in the server's metadata. */
    public static final String BINARY_EXTENSION = "binary_tensor_data";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What fills the inputs. */
    public enum InputData {
        /** The payload files, one image per request. */
        PAYLOAD,
        /** Random values of each input's shape and type. */
        RANDOM
    }

    /**
     * The bodies and what was made of the metadata, for the run's log.
     *
     * @param payloads one body per payload (or {@link #RANDOM_BODIES} random ones), each with its label
     * @param description e.g. {@code input 'data_0' FP32 [3,224,224] from each image (NCHW, inception), binary}
     */
    public record Bodies(List<Payload> payloads, String description) {
    }

    /**
     * How bodies are made. Immutable; built with {@link #builder()}.
     *
     * @param input the input the images (or the random values) fill, or empty to pick the BYTES input, else the
     *     FP32 image-shaped one (for random values: every input of a type they are made for)
     * @param data the payload images (default) or random values
     * @param binary binary tensor data, JSON, or empty (the default) for binary when the server lists
     *     {@value #BINARY_EXTENSION}
     * @param layout where an FP32 image input's channels are, or empty (the default) to read it from the shape
     *     (channels are the dimension that is 1 or 3, the last one first)
     * @param scaling what each 8-bit level of an FP32 image input becomes; default {@link ImageTensor.Scaling#UNIT}
     * @param outputs the outputs to request by name; default none (the server sends all)
     * @param classification with the classification extension, the top classes of each output (requested, or all
     *     the model's outputs), at least 1; 0 (the default) for raw outputs
     * @param seed the random values' seed; default 1
     */
    public record Options(Optional<String> input, InputData data, Optional<Boolean> binary,
            Optional<ImageTensor.Layout> layout, ImageTensor.Scaling scaling, List<String> outputs, int classification,
            long seed) {
        public Options {
            outputs = List.copyOf(outputs);
            if (classification < 0) {
                throw new IllegalArgumentException("classification is the top classes to return, at least 1 (or 0"
                        + " for none), got " + classification);
            }
        }

        /** @return a builder with the defaults */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}; each setter's default is in {@link Options}. */
        public static final class Builder {
            private Optional<String> input = Optional.empty();
            private InputData data = InputData.PAYLOAD;
            private Optional<Boolean> binary = Optional.empty();
            private Optional<ImageTensor.Layout> layout = Optional.empty();
            private ImageTensor.Scaling scaling = ImageTensor.Scaling.UNIT;
            private List<String> outputs = List.of();
            private int classification;
            private long seed = 1;

            private Builder() {
            }

            /** @param name the input the images fill */
            public Builder input(String name) {
                this.input = Optional.of(name);
                return this;
            }

            /** @param d what fills the inputs */
            public Builder data(InputData d) {
                this.data = d;
                return this;
            }

            /** @param b binary tensor data (true) or JSON (false), instead of the server's choice */
            public Builder binary(boolean b) {
                this.binary = Optional.of(b);
                return this;
            }

            /** @param l where an FP32 image input's channels are */
            public Builder layout(ImageTensor.Layout l) {
                this.layout = Optional.of(l);
                return this;
            }

            /** @param s what each 8-bit level becomes */
            public Builder scaling(ImageTensor.Scaling s) {
                this.scaling = s;
                return this;
            }

            /** @param names the outputs to request */
            public Builder outputs(List<String> names) {
                this.outputs = List.copyOf(names);
                return this;
            }

            /** @param k top classes per output, at least 1, or 0 for raw outputs */
            public Builder classification(int k) {
                this.classification = k;
                return this;
            }

            /** @param s the random values' seed */
            public Builder seed(long s) {
                this.seed = s;
                return this;
            }

            /** @return the options */
            public Options build() {
                return new Options(input, data, binary, layout, scaling, outputs, classification, seed);
            }
        }
    }

    private KServeShape() {
    }

    /**
     * @param model the model's metadata document ({@code name}, {@code inputs}, {@code outputs})
     * @param serverExtensions the {@code extensions} of the server's metadata, or empty when it could not be read
     * @param payloads the image files (empty with {@link InputData#RANDOM})
     * @param o how to make the bodies
     * @return the bodies
     * @throws IllegalArgumentException when the model has no input the options can fill, an option names what the
     *     model does not have, an image cannot be read, or the bodies would exceed {@link Payload#MAX_TOTAL_BYTES};
     *     the message says what the model has
     */
    public static Bodies bodies(JsonNode model, Optional<Set<String>> serverExtensions, List<Payload> payloads,
            Options o) {
        String modelName = model.path("name").asText();
        List<JsonNode> inputs = new ArrayList<>();
        model.path("inputs").forEach(inputs::add);
        boolean binary = o.binary().orElse(serverExtensions.map(e -> e.contains(BINARY_EXTENSION)).orElse(false));
        ArrayNode outputs = outputs(model, o);
        String encoding = binary ? "binary tensor data" : "JSON";
        String asked = (o.outputs().isEmpty() ? "" : ", outputs " + o.outputs())
                + (o.classification() > 0 ? ", classification " + o.classification() : "");
        if (o.data() == InputData.RANDOM) {
            List<JsonNode> filled = new ArrayList<>();
            for (JsonNode in : inputs) {
                if (o.input().map(n -> n.equals(in.path("name").asText()))
                        .orElse(Tensor.RANDOM_TYPES.contains(in.path("datatype").asText()))) {
                    filled.add(in);
                }
            }
            if (filled.isEmpty()) {
                throw new IllegalArgumentException("model '" + modelName + "' has no input " + o.input().map(
                        n -> "'" + n + "'").orElse("of a type random data is made for " + Tensor.RANDOM_TYPES)
                        + " (its inputs: " + inputs.stream().map(KServeShape::describe)
                        .collect(Collectors.joining(", ")) + ")");
            }
            SplittableRandom rnd = new SplittableRandom(o.seed());
            List<Payload> out = new ArrayList<>();
            for (int b = 0; b < RANDOM_BODIES; b++) {
                List<Tensor> tensors = new ArrayList<>();
                for (JsonNode in : filled) {
                    tensors.add(Tensor.random(in, rnd));
                }
                out.add(body(String.format(Locale.ROOT, "random-%02d", b), Optional.empty(), tensors, outputs,
                        binary));
            }
            return new Bodies(checkTotal(out), "random values for " + filled.stream().map(KServeShape::describe)
                    .collect(Collectors.joining(", ")) + ", " + encoding + asked);
        }
        JsonNode input = pick(model, inputs, o.input());
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("--request kserve-v2 sends each payload image as input '"
                    + input.path("name").asText() + "': give --payload DIR, or --input-data random");
        }
        List<Payload> out = new ArrayList<>();
        if (input.path("datatype").asText().equals("BYTES")) {
            long[] shape = sendShape(input);
            if (count(shape) != 1) {
                throw new IllegalArgumentException("BYTES input '" + input.path("name").asText() + "' of shape "
                        + input.path("shape") + " takes " + count(shape) + " elements; loadgen sends one image");
            }
            for (Payload p : payloads) {
                out.add(body(p.name(), p.label(), List.of(Tensor.bytes(input, shape, p.bytes())), outputs, binary));
            }
            return new Bodies(checkTotal(out), "input " + describe(input) + " holding each image file, " + encoding
                    + asked);
        }
        ImageTensor image = imageTensor(input, o);
        long[] shape = sendShape(input);
        long total = 0;
        for (Payload p : payloads) {
            Payload b = body(p.name(), p.label(), List.of(Tensor.fp32(input, shape, image.values(p.bytes(), p.name()))),
                    outputs, binary);
            out.add(b);
            total += b.bytes().length;
            if (total > Payload.MAX_TOTAL_BYTES) {
                checkTotal(out);
            }
        }
        return new Bodies(out, "input " + describe(input) + " from each image (" + image.height() + "x"
                + image.width() + "x" + image.channels() + ", " + image.layout() + ", scaling " + image.scaling().flag()
                + "), " + encoding + asked);
    }

    private static JsonNode pick(JsonNode model, List<JsonNode> inputs, Optional<String> name) {
        String names = inputs.stream().map(KServeShape::describe).collect(Collectors.joining(", "));
        if (name.isPresent()) {
            for (JsonNode in : inputs) {
                if (in.path("name").asText().equals(name.get())) {
                    String type = in.path("datatype").asText();
                    if (!type.equals("BYTES") && !type.equals("FP32")) {
                        throw new IllegalArgumentException("input '" + name.get() + "' is " + type + ": an image fills"
                                + " a BYTES or FP32 input; use --input-data random for other types");
                    }
                    return in;
                }
            }
            throw new IllegalArgumentException("model '" + model.path("name").asText() + "' has no input '"
                    + name.get() + "' (its inputs: " + names + ")");
        }
        for (JsonNode in : inputs) {
            if (in.path("datatype").asText().equals("BYTES")) {
                return in;
            }
        }
        for (JsonNode in : inputs) {
            if (in.path("datatype").asText().equals("FP32") && imageDims(in).isPresent()) {
                return in;
            }
        }
        throw new IllegalArgumentException("model '" + model.path("name").asText() + "' has no BYTES input and no FP32"
                + " input shaped like an image (its inputs: " + names + "): use --input-data random for tensors of"
                + " its inputs' shapes");
    }

    /** @return the three image dimensions of an input's shape (after a leading batch -1), if it has three */
    private static Optional<long[]> imageDims(JsonNode input) {
        JsonNode s = input.path("shape");
        int from = s.size() == 4 && s.get(0).asLong() == -1 ? 1 : 0;
        if (s.size() - from != 3) {
            return Optional.empty();
        }
        long[] d = new long[3];
        for (int i = 0; i < 3; i++) {
            d[i] = s.get(from + i).asLong();
        }
        return Optional.of(d);
    }

    private static ImageTensor imageTensor(JsonNode input, Options o) {
        String name = input.path("name").asText();
        long[] d = imageDims(input).orElseThrow(() -> new IllegalArgumentException("FP32 input '" + name
                + "' of shape " + input.path("shape") + " is not an image's ([-1,H,W,C], [-1,C,H,W] or without the"
                + " batch dimension): use --input-data random"));
        for (long x : d) {
            if (x < 1) {
                throw new IllegalArgumentException("FP32 input '" + name + "' of shape " + input.path("shape")
                        + " has a variable image dimension; loadgen needs its height, width and channels");
            }
        }
        ImageTensor.Layout layout = o.layout().orElseGet(() -> d[2] == 1 || d[2] == 3 ? ImageTensor.Layout.NHWC
                : d[0] == 1 || d[0] == 3 ? ImageTensor.Layout.NCHW : null);
        if (layout == null) {
            throw new IllegalArgumentException("FP32 input '" + name + "' of shape " + input.path("shape") + " has no"
                    + " dimension of 1 or 3 channels at either end: give --kserve-layout nhwc or nchw");
        }
        boolean last = layout == ImageTensor.Layout.NHWC;
        long c = last ? d[2] : d[0];
        long h = last ? d[0] : d[1];
        long w = last ? d[1] : d[2];
        if (c != 1 && c != 3 || h > 4096 || w > 4096) {
            throw new IllegalArgumentException("FP32 input '" + name + "' of shape " + input.path("shape") + " read as "
                    + layout + " has " + c + " channels of " + h + "x" + w + ": an image has 1 or 3 channels of at most"
                    + " 4096x4096 (is --kserve-layout right?)");
        }
        return new ImageTensor((int) h, (int) w, (int) c, layout, o.scaling());
    }

    private static ArrayNode outputs(JsonNode model, Options o) {
        List<String> names = new ArrayList<>();
        model.path("outputs").forEach(out -> names.add(out.path("name").asText()));
        for (String asked : o.outputs()) {
            if (!names.contains(asked)) {
                throw new IllegalArgumentException("model '" + model.path("name").asText() + "' has no output '" + asked
                        + "' (its outputs: " + names + ")");
            }
        }
        List<String> requested = !o.outputs().isEmpty() ? o.outputs() : o.classification() > 0 ? names : List.of();
        if (requested.isEmpty()) {
            return null;
        }
        ArrayNode out = JSON.createArrayNode();
        for (String n : requested) {
            ObjectNode r = out.addObject().put("name", n);
            if (o.classification() > 0) {
                r.putObject("parameters").put("classification", o.classification());
            }
        }
        return out;
    }

    /** @return the input's shape with each variable dimension made 1 */
    private static long[] sendShape(JsonNode input) {
        JsonNode dims = input.path("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i).asLong();
            shape[i] = d < 0 ? 1 : d;
        }
        return shape;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static String describe(JsonNode input) {
        return "'" + input.path("name").asText() + "' " + input.path("datatype").asText() + " "
                + input.path("shape").toString().replace(" ", "");
    }

    private static List<Payload> checkTotal(List<Payload> bodies) {
        long total = 0;
        for (Payload p : bodies) {
            total += p.bytes().length;
        }
        if (total > Payload.MAX_TOTAL_BYTES) {
            throw new IllegalArgumentException("the KServe bodies exceed " + (Payload.MAX_TOTAL_BYTES >> 20) + " MiB"
                    + " after " + bodies.size() + " payloads: use fewer images, or binary tensor data"
                    + " (--kserve-binary) which is about a third of the JSON");
        }
        return bodies;
    }

    /** One input's tensor: its JSON description, and its data as JSON and as little-endian bytes. */
    private record Tensor(String name, String datatype, long[] shape, ArrayNode json, byte[] binary) {
        static final List<String> RANDOM_TYPES = List.of("FP32", "FP64", "INT32", "INT64");

        static Tensor bytes(JsonNode input, long[] shape, byte[] element) {
            ArrayNode json = JSON.createArrayNode().add(Base64.getEncoder().encodeToString(element));
            return new Tensor(input.path("name").asText(), "BYTES", shape, json,
                    BinaryTensorData.bytes(List.of(element)));
        }

        static Tensor fp32(JsonNode input, long[] shape, float[] values) {
            ArrayNode json = JSON.createArrayNode();
            for (float v : values) {
                json.add(v);
            }
            return new Tensor(input.path("name").asText(), "FP32", shape, json, BinaryTensorData.fp32(values));
        }

        static Tensor random(JsonNode input, SplittableRandom rnd) {
            String name = input.path("name").asText();
            String type = input.path("datatype").asText();
            long[] shape = sendShape(input);
            long n = count(shape);
            if (n > (16 << 20)) {
                throw new IllegalArgumentException("input " + describe(input) + " holds " + n + " values: too many"
                        + " for one request");
            }
            ArrayNode json = JSON.createArrayNode();
            int count = (int) n;
            byte[] bin = switch (type) {
                case "FP32" -> {
                    float[] v = new float[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = (float) rnd.nextDouble();
                        json.add(v[i]);
                    }
                    yield BinaryTensorData.fp32(v);
                }
                case "FP64" -> {
                    double[] v = new double[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = rnd.nextDouble();
                        json.add(v[i]);
                    }
                    yield BinaryTensorData.fp64(v);
                }
                case "INT32" -> {
                    int[] v = new int[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = rnd.nextInt(100);
                        json.add(v[i]);
                    }
                    yield BinaryTensorData.int32(v);
                }
                case "INT64" -> {
                    long[] v = new long[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = rnd.nextInt(100);
                        json.add(v[i]);
                    }
                    yield BinaryTensorData.int64(v);
                }
                default -> throw new IllegalArgumentException("input " + describe(input) + ": random data is made"
                        + " for FP32, FP64, INT32 and INT64 inputs");
            };
            return new Tensor(name, type, shape, json, bin);
        }
    }

    private static Payload body(String name, Optional<String> label, List<Tensor> tensors, ArrayNode outputs,
            boolean binary) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode ins = root.putArray("inputs");
        for (Tensor t : tensors) {
            ObjectNode in = ins.addObject().put("name", t.name()).put("datatype", t.datatype());
            ArrayNode s = in.putArray("shape");
            for (long d : t.shape()) {
                s.add(d);
            }
            if (binary) {
                in.putObject("parameters").put(BinaryTensorData.SIZE_PARAMETER, t.binary().length);
            } else {
                in.set("data", t.json());
            }
        }
        if (outputs != null) {
            root.set("outputs", outputs);
        }
        byte[] header;
        try {
            header = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!binary) {
            return new Payload(name, header, "application/json", label);
        }
        return new Payload(name, BinaryTensorData.body(header, tensors.stream().map(Tensor::binary).toList()),
                BinaryTensorData.CONTENT_TYPE, label,
                List.of(new Request.Header(BinaryTensorData.HEADER_LENGTH, Integer.toString(header.length))));
    }
}
