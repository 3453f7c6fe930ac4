package io.loadgen.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.loadgen.oip.BinaryTensorData;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.batching.Lane;
import io.loadgen.server.batching.Prediction;
import io.loadgen.server.batching.Rejection;
import io.loadgen.server.image.BadImageException;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.model.ClassScore;
import io.loadgen.server.model.ModelInfo;
import io.loadgen.server.model.Preprocessing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v2/models/{name}[/versions/1]/infer} of the Open Inference Protocol (kserve
 * {@code docs/predict-api/v2/required_api.md}, "Inference"), with Triton's binary tensor data and classification
 * extensions ({@code docs/protocol/extension_binary_data.md}, {@code extension_classification.md}).
 *
 * <p>A request has exactly one input:
 * <ul>
 *   <li>{@value #TENSOR_INPUT}: FP32, shape {@code [n, height, width, channels]}, the model's own preprocessed input
 *       (NHWC), as JSON numbers (nested or flat, row-major) or as binary data (little-endian);
 *   <li>{@value #IMAGE_INPUT}: BYTES, shape {@code [n]} or {@code [n, 1]}, each element an encoded JPEG or PNG that
 *       the server decodes and preprocesses as {@code /v1/classify} does (like a Triton ensemble whose first step
 *       decodes); as JSON, each element is a base64 string (a JSON string cannot hold raw bytes), as binary data,
 *       each element is its 4-byte little-endian length and its bytes.
 * </ul>
 * The one output, {@value #OUTPUT}, is FP32 {@code [n, classes]}; requested with {@code "classification": k} it is
 * BYTES {@code [n, k]} of {@code "score:index:label"}, best first (no thresholds: the extension returns exactly k).
 * {@code "binary_data": true} on an output, or {@code "binary_data_output": true} on the request, returns it as
 * binary data after the JSON, with {@code Inference-Header-Content-Length}. Each of the {@code n} rows enters the
 * same batcher as {@code /v1} on its own, so rows of both protocols pack into shared batches; the request answers
 * when all of them have run, and fails as a whole if any of them fails (the protocol has no per-row error). Lanes,
 * deadlines and the item cap are those of {@link ItemBatch}.
 *
 * <p>Threading: {@link #handle} runs on an HTTP thread; the future completes on a batcher worker.
 */
final class KServeInferRoute {
    /** The input of preprocessed tensors. */
    static final String TENSOR_INPUT = "input";
    /** The input of encoded images. */
    static final String IMAGE_INPUT = "image";
    /** The model's output. */
    static final String OUTPUT = "output";

    private final ObjectMapper json;
    private final ModelInfo info;
    private final ImageDecoder preprocessor;
    private final DynamicBatcher batcher;
    private final int batchLaneMinItems;
    private final int maxItems;

    KServeInferRoute(ObjectMapper json, ModelInfo info, ImageDecoder preprocessor, DynamicBatcher batcher,
            int batchLaneMinItems, int maxItems) {
        this.json = json;
        this.info = info;
        this.preprocessor = preprocessor;
        this.batcher = batcher;
        this.batchLaneMinItems = batchLaneMinItems;
        this.maxItems = maxItems;
    }

    /** An output to return: as a tensor, or as {@code classification} top-k strings; in JSON or binary. */
    private record Output(String name, int classification, boolean binary) {
    }

    /** The parsed input: its name, rows, and either the tensor values or the encoded images. */
    private record Input(String name, int rows, float[] values, List<byte[]> images) {
    }

    /**
     * @return the future reply; completes exceptionally with an {@link ApiError} or a batcher {@link Rejection}
     * @throws ApiError 404 for another model or version, 400 for a request the protocol or the model refuses
     */
    CompletableFuture<Reply> handle(Context ctx, String requestId, long receivedNanos) {
        String name = ctx.pathParam("name");
        String version = ctx.pathParamMap().get("version");
        if (!name.equals(info.name())) {
            throw new ApiError(404, "not_found", "unknown model '" + name + "': this server serves '" + info.name()
                    + "'");
        }
        if (version != null && !version.equals(KServeRoutes.VERSION)) {
            throw new ApiError(404, "not_found", "unknown version '" + version + "' of model '" + name
                    + "': it has version " + KServeRoutes.VERSION);
        }
        byte[] body = ctx.bodyAsBytes();
        int jsonLength;
        try {
            jsonLength = BinaryTensorData.jsonLength(ctx.header(BinaryTensorData.HEADER_LENGTH), body.length);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        JsonNode root = parse(body, jsonLength);
        JsonNode named = root.get("model_name");
        if (named != null && !named.asText().equals(name)) {
            throw bad("the request names model '" + named.asText() + "' but is posted to '" + name + "'");
        }
        ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        Input input = input(root.get("inputs"), binary);
        if (binary.hasRemaining()) {
            throw bad(binary.remaining() + " bytes follow the JSON that no input's binary_data_size accounts for");
        }
        List<Output> outputs = outputs(root.get("outputs"), flag(root.get("parameters"), "binary_data_output"));
        String id = root.hasNonNull("id") ? root.get("id").asText() : null;

        Lane lane = ItemBatch.lane(ctx, input.rows(), batchLaneMinItems);
        Rejection full = batcher.admissionCheck(lane, input.rows());
        if (full != null) {
            return CompletableFuture.failedFuture(full);
        }
        List<float[]> rows = rows(input);
        List<CompletableFuture<Prediction>> futures = ItemBatch.submit(batcher, rows, lane,
                ItemBatch.deadlineLeft(ctx, receivedNanos));
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> response(id, futures, outputs));
    }

    private JsonNode parse(byte[] body, int length) {
        JsonNode root;
        try {
            root = length == 0 ? null : json.readTree(body, 0, length);
        } catch (IOException e) {
            throw bad("the inference request is not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw bad("the body must be an inference request object {\"inputs\": [...]}");
        }
        return root;
    }

    private Input input(JsonNode inputs, ByteBuffer binary) {
        Preprocessing p = info.preprocessing();
        String expected = "'" + TENSOR_INPUT + "' (FP32 [-1, " + p.height() + ", " + p.width() + ", " + p.channels()
                + "]) or '" + IMAGE_INPUT + "' (BYTES [-1], encoded JPEG or PNG)";
        if (inputs == null || !inputs.isArray() || inputs.size() != 1 || !inputs.get(0).isObject()) {
            throw bad("send exactly one input: " + expected);
        }
        JsonNode in = inputs.get(0);
        String name = text(in, "name", "the input");
        String datatype = text(in, "datatype", "input '" + name + "'");
        long[] shape = shape(in.get("shape"), name);
        Long binarySize = binarySize(in.get("parameters"), name);
        if (name.equals(TENSOR_INPUT)) {
            if (!datatype.equals("FP32")) {
                throw bad("input '" + name + "' must be FP32, got " + datatype);
            }
            if (shape.length != 4 || shape[1] != p.height() || shape[2] != p.width() || shape[3] != p.channels()) {
                throw bad("input '" + name + "' must have shape [n, " + p.height() + ", " + p.width() + ", "
                        + p.channels() + "], got " + java.util.Arrays.toString(shape));
            }
            int rows = rows(shape[0], name);
            int count = rows * p.valuesPerImage();
            float[] values = new float[count];
            if (binarySize != null) {
                if (binarySize != 4L * count) {
                    throw bad("input '" + name + "' of shape " + java.util.Arrays.toString(shape) + " takes " + 4L * count
                            + " bytes of FP32, but its binary_data_size is " + binarySize);
                }
                BinaryTensorData.readFp32(take(binary, binarySize, name), values);
            } else {
                int filled = flatten(data(in, name), values, 0, name);
                if (filled != count) {
                    throw bad("input '" + name + "' of shape " + java.util.Arrays.toString(shape) + " needs " + count
                            + " values, got " + filled);
                }
            }
            return new Input(name, rows, values, null);
        }
        if (name.equals(IMAGE_INPUT)) {
            if (!datatype.equals("BYTES")) {
                throw bad("input '" + name + "' must be BYTES (encoded JPEG or PNG), got " + datatype);
            }
            if (shape.length < 1 || shape.length > 2 || (shape.length == 2 && shape[1] != 1)) {
                throw bad("input '" + name + "' must have shape [n] or [n, 1], got " + java.util.Arrays.toString(shape));
            }
            int rows = rows(shape[0], name);
            List<byte[]> images = new ArrayList<>(rows);
            if (binarySize != null) {
                try {
                    images.addAll(BinaryTensorData.readBytes(take(binary, binarySize, name)));
                } catch (IllegalArgumentException e) {
                    throw bad("input '" + name + "': " + e.getMessage() + " (its binary_data_size)");
                }
            } else {
                List<JsonNode> elements = new ArrayList<>(rows);
                collect(data(in, name), elements);
                for (int i = 0; i < elements.size(); i++) {
                    JsonNode e = elements.get(i);
                    if (!e.isTextual()) {
                        throw bad("input '" + name + "' element " + i + " must be a base64 string, got " + e);
                    }
                    try {
                        images.add(Base64.getDecoder().decode(e.asText()));
                    } catch (IllegalArgumentException x) {
                        throw bad("input '" + name + "' element " + i + " is not valid base64: " + x.getMessage());
                    }
                }
            }
            if (images.size() != rows) {
                throw bad("input '" + name + "' of shape " + java.util.Arrays.toString(shape) + " needs " + rows
                        + " elements, got " + images.size());
            }
            return new Input(name, rows, null, images);
        }
        throw bad("unknown input '" + name + "': model '" + info.name() + "' takes " + expected);
    }

    private List<float[]> rows(Input input) {
        int per = info.preprocessing().valuesPerImage();
        List<float[]> rows = new ArrayList<>(input.rows());
        for (int i = 0; i < input.rows(); i++) {
            if (input.values() != null) {
                float[] row = new float[per];
                System.arraycopy(input.values(), i * per, row, 0, per);
                rows.add(row);
            } else {
                try {
                    rows.add(preprocessor.preprocess(input.images().get(i)));
                } catch (BadImageException e) {
                    throw bad("input '" + input.name() + "' element " + i + ": " + e.getMessage());
                }
            }
        }
        return rows;
    }

    private int rows(long n, String name) {
        if (n < 1) {
            throw bad("input '" + name + "' needs a batch of at least 1, got " + n);
        }
        if (n > maxItems) {
            throw new ApiError(413, "too_many_items", "input '" + name + "' has a batch of " + n + ", more than the "
                    + maxItems + " allowed in one request (maxItemsPerRequest)");
        }
        return (int) n;
    }

    private static ByteBuffer take(ByteBuffer binary, long size, String name) {
        if (size > binary.remaining()) {
            throw bad("input '" + name + "' says binary_data_size " + size + ", but only " + binary.remaining()
                    + " bytes follow the JSON (" + BinaryTensorData.HEADER_LENGTH + ")");
        }
        ByteBuffer slice = binary.slice().limit((int) size).order(ByteOrder.LITTLE_ENDIAN);
        binary.position(binary.position() + (int) size);
        return slice;
    }

    private static JsonNode data(JsonNode in, String name) {
        JsonNode d = in.get("data");
        if (d == null || !d.isArray()) {
            throw bad("input '" + name + "' needs \"data\" (a JSON array) or a binary_data_size parameter");
        }
        return d;
    }

    /** Writes the numbers of a nested or flat array into {@code out} from {@code at}; @return the next index. */
    private static int flatten(JsonNode node, float[] out, int at, String name) {
        for (JsonNode e : node) {
            if (e.isArray()) {
                at = flatten(e, out, at, name);
            } else if (e.isNumber()) {
                if (at >= out.length) {
                    throw bad("input '" + name + "' has more values than its shape holds (" + out.length + ")");
                }
                out[at++] = e.floatValue();
            } else {
                throw bad("input '" + name + "' is FP32: its data must be numbers, got " + e);
            }
        }
        return at;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        for (JsonNode e : node) {
            if (e.isArray()) {
                collect(e, out);
            } else {
                out.add(e);
            }
        }
    }

    private static long[] shape(JsonNode node, String name) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw bad("input '" + name + "' needs a \"shape\": a list of whole numbers");
        }
        long[] s = new long[node.size()];
        for (int i = 0; i < s.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 0) {
                throw bad("input '" + name + "' shape must hold whole numbers >= 0, got " + node);
            }
            s[i] = d.longValue();
        }
        return s;
    }

    private static Long binarySize(JsonNode parameters, String name) {
        if (parameters == null || parameters.isNull() || !parameters.has(BinaryTensorData.SIZE_PARAMETER)) {
            return null;
        }
        JsonNode n = parameters.get(BinaryTensorData.SIZE_PARAMETER);
        if (!n.isIntegralNumber() || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
            throw bad("input '" + name + "' binary_data_size must be a whole number of bytes, got " + n);
        }
        return n.longValue();
    }

    private List<Output> outputs(JsonNode requested, boolean binaryByDefault) {
        if (requested == null || requested.isNull() || (requested.isArray() && requested.isEmpty())) {
            return List.of(new Output(OUTPUT, 0, binaryByDefault));
        }
        if (!requested.isArray()) {
            throw bad("\"outputs\" must be a list of {\"name\": ...}");
        }
        List<Output> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode o : requested) {
            String name = text(o, "name", "a requested output");
            if (!name.equals(OUTPUT)) {
                throw bad("unknown output '" + name + "': model '" + info.name() + "' has '" + OUTPUT + "'");
            }
            if (!seen.add(name)) {
                throw bad("output '" + name + "' is requested twice");
            }
            JsonNode params = o.get("parameters");
            int k = 0;
            if (params != null && params.has("classification")) {
                JsonNode c = params.get("classification");
                int classes = info.classes().size();
                if (!c.isIntegralNumber() || c.longValue() < 1 || c.longValue() > classes) {
                    throw bad("output '" + name + "' classification must be a whole number in [1, " + classes
                            + "], got " + c);
                }
                k = c.intValue();
            }
            boolean binary = params != null && params.has("binary_data") ? flag(params, "binary_data")
                    : binaryByDefault;
            out.add(new Output(name, k, binary));
        }
        return out;
    }

    private static boolean flag(JsonNode parameters, String key) {
        if (parameters == null || parameters.isNull() || !parameters.has(key)) {
            return false;
        }
        JsonNode v = parameters.get(key);
        if (!v.isBoolean()) {
            throw bad("parameter '" + key + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static String text(JsonNode node, String field, String what) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw bad(what + " needs a \"" + field + "\" string");
        }
        return v.asText();
    }

    private Reply response(String id, List<CompletableFuture<Prediction>> futures, List<Output> outputs) {
        int n = futures.size();
        float[][] scores = new float[n][];
        for (int i = 0; i < n; i++) {
            scores[i] = futures.get(i).join().scores();
        }
        int classes = scores[0].length;
        ObjectNode root = json.createObjectNode();
        root.put("model_name", info.name());
        root.put("model_version", KServeRoutes.VERSION);
        if (id != null) {
            root.put("id", id);
        }
        ArrayNode outs = root.putArray("outputs");
        List<byte[]> tensors = new ArrayList<>();
        List<String> labels = Labels.padded(info.classes(), classes);
        for (Output o : outputs) {
            ObjectNode t = outs.addObject();
            t.put("name", o.name());
            if (o.classification() > 0) {
                int k = o.classification();
                t.put("datatype", "BYTES");
                t.putArray("shape").add(n).add(k);
                List<String> strings = new ArrayList<>(n * k);
                for (float[] row : scores) {
                    for (ClassScore c : ClassScore.topK(row, k, labels)) {
                        strings.add(c.score() + ":" + c.classId() + ":" + c.label());
                    }
                }
                if (o.binary()) {
                    byte[] data = BinaryTensorData.bytes(strings.stream()
                            .map(x -> x.getBytes(StandardCharsets.UTF_8)).toList());
                    tensors.add(data);
                    t.putObject("parameters").put(BinaryTensorData.SIZE_PARAMETER, data.length);
                } else {
                    ArrayNode data = t.putArray("data");
                    strings.forEach(data::add);
                }
            } else {
                t.put("datatype", "FP32");
                t.putArray("shape").add(n).add(classes);
                if (o.binary()) {
                    float[] flat = new float[n * classes];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(scores[i], 0, flat, i * classes, classes);
                    }
                    byte[] data = BinaryTensorData.fp32(flat);
                    tensors.add(data);
                    t.putObject("parameters").put(BinaryTensorData.SIZE_PARAMETER, data.length);
                } else {
                    ArrayNode data = t.putArray("data");
                    for (float[] row : scores) {
                        for (float v : row) {
                            data.add(v);
                        }
                    }
                }
            }
        }
        byte[] header;
        try {
            header = json.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (tensors.isEmpty()) {
            return Reply.json(header);
        }
        return new Reply(BinaryTensorData.CONTENT_TYPE, BinaryTensorData.body(header, tensors),
                Map.of(BinaryTensorData.HEADER_LENGTH, Integer.toString(header.length)));
    }

    private static ApiError bad(String message) {
        return new ApiError(400, "bad_request", message);
    }
}
