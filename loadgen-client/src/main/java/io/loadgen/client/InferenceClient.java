package io.loadgen.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.oip.BinaryTensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A typed client of the inference server's wire contract ({@code POST /v1/classify} for one image or many,
 * {@code /health/ready}, {@code /v1/models}) and of its KServe v2 endpoints ({@code GET /v2/models/{name}},
 * {@code POST /v2/models/{name}/infer} with FP32 tensors or encoded images), synchronous or with
 * {@link CompletableFuture}s. Errors arrive as the subclasses of
 * {@link InferenceException}. Thread-safe; one instance per server is enough.
 *
 * <pre>{@code
 * try (InferenceClient client = InferenceClient.builder(URI.create("http://127.0.0.1:8091")).build()) {
 *     Classification c = client.classify(Path.of("cat.jpg"));
 *     System.out.println(c.top().label());
 * } catch (InferenceException.Unavailable busy) {
 *     // back off for busy.retryAfter()
 * }
 * }</pre>
 */
public final class InferenceClient implements AutoCloseable {
    /** The binary tensor data extension's header: the length of the body's JSON part. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Per-request options.
     *
     * @param topK predictions wanted, {@code >= 1}, or 0 for the server's default
     * @param priority {@code realtime} or {@code batch}, or {@code null} for the server's default (realtime)
     * @param deadline longest wait before inference, or {@code null} for the server's default
     * @param requestId sent as {@code X-Request-Id}, or {@code null}
     */
    public record Options(int topK, String priority, Duration deadline, String requestId) {
        /** The server's defaults. */
        public static final Options DEFAULT = new Options(0, null, null, null);

        public Options {
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0, got " + topK);
            }
            if (priority != null && !priority.equals("realtime") && !priority.equals("batch")) {
                throw new IllegalArgumentException("priority must be realtime or batch, got " + priority);
            }
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    private InferenceClient(Builder b) {
        this.base = b.base;
        this.timeout = b.timeout;
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * @param baseUri the server, e.g. {@code http://127.0.0.1:8091}
     * @return a builder: response timeout 30 s, connect timeout 5 s
     */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /** Classifies an image file; the content type comes from its extension (.jpg, .jpeg, .png). */
    public Classification classify(Path image) {
        try {
            return classify(Files.readAllBytes(image), contentType(image), Options.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + image, e);
        }
    }

    /**
     * Classifies image bytes and waits for the answer.
     *
     * @param image JPEG or PNG bytes
     * @param contentType {@code image/jpeg} or {@code image/png}
     * @param options per-request options
     * @throws InferenceException (a subclass) when the server answers with an error or cannot be reached
     */
    public Classification classify(byte[] image, String contentType, Options options) {
        try {
            return classifyAsync(image, contentType, options).get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException.Io("interrupted", e);
        }
    }

    /**
     * Classifies image bytes without blocking.
     *
     * @return a future completing with the answer, or exceptionally with an {@link InferenceException}
     */
    public CompletableFuture<Classification> classifyAsync(byte[] image, String contentType, Options options) {
        Objects.requireNonNull(image, "image");
        String query = options.topK() > 0 ? "?top_k=" + options.topK() : "";
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve("/v1/classify" + query))
                .timeout(timeout)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(image));
        return http.sendAsync(headers(req, options).build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((resp, err) -> {
                    if (err != null) {
                        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause()
                                : err;
                        throw new InferenceException.Io("no response from " + base + ": " + c, c);
                    }
                    return parse(resp);
                });
    }

    /**
     * One image's answer in a many-image request: its classification, or its own error.
     *
     * @param classification the answer, when the image was classified
     * @param errorCode the error's code ({@code bad_image}, ...), when it was not
     * @param errorMessage the error's message, when it was not
     */
    public record ItemResult(Optional<Classification> classification, Optional<String> errorCode,
            Optional<String> errorMessage) {
    }

    /**
     * Classifies many images in one request ({@code {"images": [...]}}); each enters the server's batcher on its
     * own, and each is answered or refused alone.
     *
     * @param images JPEG or PNG bytes each, at least one (at most the server's {@code maxItemsPerRequest})
     * @param options per-request options (its request id and deadline apply to the whole request)
     * @return one result per image, in the same order
     * @throws InferenceException when the request as a whole is refused (413 too many items, 503 busy, ...)
     */
    public List<ItemResult> classifyAll(List<byte[]> images, Options options) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("images must not be empty");
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode list = body.putArray("images");
        images.forEach(i -> list.add(java.util.Base64.getEncoder().encodeToString(i)));
        if (options.topK() > 0) {
            body.put("top_k", options.topK());
        }
        HttpResponse<byte[]> r = send(headers(HttpRequest.newBuilder(base.resolve("/v1/classify")), options)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
                        json(body))));
        if (r.statusCode() != 200) {
            throw error(r);
        }
        JsonNode root = tree(r);
        List<ItemResult> out = new ArrayList<>();
        for (JsonNode item : root.path("results")) {
            if (item.has("error")) {
                out.add(new ItemResult(Optional.empty(), Optional.of(item.path("error").path("code").asText()),
                        Optional.of(item.path("error").path("message").asText())));
            } else {
                out.add(new ItemResult(Optional.of(classification(root.path("id").asText(),
                        root.path("model").asText(), item)), Optional.empty(), Optional.empty()));
            }
        }
        return out;
    }

    /**
     * @param model the model's name
     * @return its KServe v2 metadata ({@code GET /v2/models/{model}}: name, versions, platform, inputs, outputs)
     * @throws InferenceException.BadRequest (404) for a model the server does not have
     */
    public JsonNode kserveMetadata(String model) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(base.resolve("/v2/models/" + path(model))).GET());
        if (r.statusCode() != 200) {
            throw error(r);
        }
        return tree(r);
    }

    /**
     * KServe v2 inference on the model's own input: an FP32 tensor of {@code shape} ({@code [n, ...]}, row-major),
     * sent as JSON.
     *
     * @param model the model's name
     * @param input the input tensor's name (the metadata's, e.g. {@code input})
     * @param shape its shape, the batch first
     * @param values the values, as many as the shape holds
     * @return the scores of each of the n rows (the output {@code output})
     * @throws InferenceException as the server answers ({@code {"error": msg}} becomes the exception's message)
     */
    public float[][] kserveInfer(String model, String input, long[] shape, float[] values) {
        com.fasterxml.jackson.databind.node.ObjectNode in = JSON.createObjectNode().put("name", input)
                .put("datatype", "FP32");
        com.fasterxml.jackson.databind.node.ArrayNode dims = in.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
        com.fasterxml.jackson.databind.node.ArrayNode data = in.putArray("data");
        for (float v : values) {
            data.add(v);
        }
        return kserve(model, in);
    }

    /**
     * KServe v2 inference on encoded images: the BYTES input {@code image} (base64 in JSON), decoded by the server.
     *
     * @param model the model's name
     * @param images JPEG or PNG bytes each, at least one
     * @return the scores of each image, in order
     * @throws InferenceException as the server answers
     */
    public float[][] kserveInferImages(String model, List<byte[]> images) {
        return kserve(model, imagesInput(images));
    }

    /**
     * KServe v2 inference as {@link #kserveInfer}, with the tensor and the answer as binary data (the binary tensor
     * data extension: the JSON, then little-endian bytes, with {@code Inference-Header-Content-Length}), about a
     * third of the bytes of JSON and no number formatting on either side.
     *
     * @param model the model's name
     * @param input the input tensor's name
     * @param shape its shape, the batch first
     * @param values the values, as many as the shape holds
     * @return the scores of each row of the first output
     * @throws InferenceException as the server answers
     */
    public float[][] kserveInferBinary(String model, String input, long[] shape, float[] values) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode in = body.putArray("inputs").addObject().put("name", input)
                .put("datatype", "FP32");
        com.fasterxml.jackson.databind.node.ArrayNode dims = in.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
        byte[] data = BinaryTensorData.fp32(values);
        in.putObject("parameters").put(BinaryTensorData.SIZE_PARAMETER, data.length);
        body.putObject("parameters").put("binary_data_output", true);
        byte[] header = json(body);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(base.resolve("/v2/models/" + path(model) + "/infer"))
                .header("Content-Type", BinaryTensorData.CONTENT_TYPE)
                .header(BinaryTensorData.HEADER_LENGTH, Integer.toString(header.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(BinaryTensorData.body(header, List.of(data)))));
        if (r.statusCode() != 200) {
            throw error(r);
        }
        String length = r.headers().firstValue(BinaryTensorData.HEADER_LENGTH).orElseThrow(
                () -> new InferenceException.ServerError(r.statusCode(), "bad_response", "a binary answer without "
                        + BinaryTensorData.HEADER_LENGTH));
        int json;
        try {
            json = BinaryTensorData.jsonLength(length, r.body().length);
        } catch (IllegalArgumentException e) {
            throw new InferenceException.ServerError(r.statusCode(), "bad_response", e.getMessage());
        }
        JsonNode out;
        try {
            out = JSON.readTree(r.body(), 0, json).path("outputs").path(0);
        } catch (IOException e) {
            throw new InferenceException.ServerError(r.statusCode(), "bad_response", "the answer's JSON part: " + e);
        }
        int rows = out.path("shape").path(0).asInt();
        int cols = out.path("shape").path(1).asInt();
        long size = out.path("parameters").path(BinaryTensorData.SIZE_PARAMETER).asLong(-1);
        if (!"FP32".equals(out.path("datatype").asText()) || size != 4L * rows * cols
                || json + size > r.body().length) {
            throw new InferenceException.ServerError(r.statusCode(), "bad_response", "the answer's output is not "
                    + rows + "x" + cols + " FP32 binary data: " + out);
        }
        float[] flat = new float[rows * cols];
        BinaryTensorData.readFp32(ByteBuffer.wrap(r.body(), json, (int) size), flat);
        float[][] scores = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, scores[i], 0, cols);
        }
        return scores;
    }

    /**
     * One class of a KServe classification answer ({@code "score:index[:label]"}).
     *
     * @param score the model's score for it
     * @param index the class's index in the output
     * @param label its name, when the model has labels
     */
    public record KServeClass(double score, int index, Optional<String> label) {
    }

    /**
     * KServe v2 inference on encoded images with the classification extension: the top {@code k} classes of each
     * image, best first, rather than the scores of every class.
     *
     * @param model the model's name
     * @param output the output to classify (the metadata's, e.g. {@code output})
     * @param images JPEG or PNG bytes each, at least one
     * @param k how many classes per image, at least 1
     * @return each image's top classes, in order
     * @throws InferenceException as the server answers
     */
    public List<List<KServeClass>> kserveClassifyImages(String model, String output, List<byte[]> images, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k is the classes to return per image, at least 1, got " + k);
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.putArray("inputs").add(imagesInput(images));
        body.putArray("outputs").addObject().put("name", output).putObject("parameters").put("classification", k);
        JsonNode out = kserveJson(model, body).path("outputs").path(0);
        int rows = out.path("shape").path(0).asInt();
        int cols = out.path("shape").size() > 1 ? out.path("shape").path(1).asInt() : 1;
        List<List<KServeClass>> all = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            List<KServeClass> row = new ArrayList<>();
            for (int c = 0; c < cols; c++) {
                String[] parts = out.path("data").path(i * cols + c).asText().split(":", 3);
                try {
                    row.add(new KServeClass(Double.parseDouble(parts[0]), Integer.parseInt(parts[1]),
                            parts.length > 2 ? Optional.of(parts[2]) : Optional.empty()));
                } catch (RuntimeException e) {
                    throw new InferenceException.ServerError(200, "bad_response", "a classification is not"
                            + " score:index[:label]: " + out.path("data").path(i * cols + c));
                }
            }
            all.add(row);
        }
        return all;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode imagesInput(List<byte[]> images) {
        com.fasterxml.jackson.databind.node.ObjectNode in = JSON.createObjectNode().put("name", "image")
                .put("datatype", "BYTES");
        in.putArray("shape").add(images.size());
        com.fasterxml.jackson.databind.node.ArrayNode data = in.putArray("data");
        images.forEach(i -> data.add(java.util.Base64.getEncoder().encodeToString(i)));
        return in;
    }

    private JsonNode kserveJson(String model, com.fasterxml.jackson.databind.node.ObjectNode body) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(base.resolve("/v2/models/" + path(model) + "/infer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json(body))));
        if (r.statusCode() != 200) {
            throw error(r);
        }
        return tree(r);
    }

    private float[][] kserve(String model, com.fasterxml.jackson.databind.node.ObjectNode input) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.putArray("inputs").add(input);
        JsonNode out = kserveJson(model, body).path("outputs").path(0);
        int rows = out.path("shape").path(0).asInt();
        int cols = out.path("shape").path(1).asInt();
        float[][] scores = new float[rows][cols];
        JsonNode d = out.path("data");
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) {
                scores[i][c] = (float) d.path(i * cols + c).asDouble();
            }
        }
        return scores;
    }

    private static String path(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder headers(HttpRequest.Builder req, Options options) {
        if (options.priority() != null) {
            req.header("X-Priority", options.priority());
        }
        if (options.deadline() != null) {
            req.header("X-Deadline-Ms", Long.toString(Math.max(1, options.deadline().toMillis())));
        }
        if (options.requestId() != null) {
            req.header("X-Request-Id", options.requestId());
        }
        return req;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder req) {
        try {
            return http.send(req.timeout(timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new InferenceException.Io("no response from " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException.Io("interrupted", e);
        }
    }

    private static byte[] json(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode tree(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new InferenceException.ServerError(r.statusCode(), "bad_response", "the server's answer is not"
                    + " JSON: " + e);
        }
    }

    /** @return whether {@code /health/ready} answers 200 */
    public boolean ready() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(timeout)
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the {@code /v1/models} document */
    public JsonNode models() {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).timeout(timeout)
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw error(r);
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new InferenceException.Io("no response from " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException.Io("interrupted", e);
        }
    }

    private static Classification parse(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            throw error(r);
        }
        JsonNode root = tree(r);
        return classification(root.path("id").asText(), root.path("model").asText(), root);
    }

    /** @return the classification that {@code node}'s predictions and timing give */
    private static Classification classification(String id, String model, JsonNode node) {
        List<Classification.Prediction> preds = new ArrayList<>();
        for (JsonNode p : node.path("predictions")) {
            preds.add(new Classification.Prediction(p.path("class_id").asInt(), p.path("label").asText(),
                    p.path("score").asDouble()));
        }
        JsonNode t = node.path("timing");
        return new Classification(id, model, preds, new Classification.Timing(ms(t.path("queue_ms").asDouble()),
                t.path("batch_size").asInt(), ms(t.path("inference_ms").asDouble()), ms(t.path("total_ms").asDouble())));
    }

    private static InferenceException error(HttpResponse<byte[]> r) {
        String code = "http_" + r.statusCode();
        String message = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode e = JSON.readTree(r.body()).path("error");
            if (e.has("code")) {
                code = e.path("code").asText();
                message = e.path("message").asText();
            } else if (e.isTextual()) {
                message = e.asText(); // the KServe v2 error object: {"error": "message"}
            }
        } catch (IOException ignored) {
            // not our JSON: keep the raw body as the message
        }
        int s = r.statusCode();
        if (s == 503) {
            Duration retry = r.headers().firstValue("Retry-After").map(v -> {
                try {
                    return Duration.ofSeconds(Long.parseLong(v.trim()));
                } catch (NumberFormatException nfe) {
                    return null;
                }
            }).orElse(null);
            return new InferenceException.Unavailable(code, message, retry);
        }
        if (s == 504) {
            return new InferenceException.DeadlineExceeded(code, message);
        }
        if (s >= 400 && s < 500) {
            return new InferenceException.BadRequest(s, code, message);
        }
        return new InferenceException.ServerError(s, code, message);
    }

    private static RuntimeException unwrap(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof InferenceException ie ? ie : new InferenceException.Io(String.valueOf(c), c);
    }

    private static Duration ms(double v) {
        return Duration.ofNanos(Math.round(v * 1e6));
    }

    private static String contentType(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        throw new IllegalArgumentException(p + ": not a .jpg, .jpeg or .png file");
    }

    @Override
    public void close() {
        // java.net.http.HttpClient gained close() only in JDK 21; on 17 its threads end when it is unreachable.
    }

    /** Builds an {@link InferenceClient}. */
    public static final class Builder {
        private final URI base;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);

        private Builder(URI base) {
            if (base == null || base.getScheme() == null || base.getHost() == null) {
                throw new IllegalArgumentException("base URI must be absolute, e.g. http://127.0.0.1:8091, got "
                        + base);
            }
            this.base = base;
        }

        /** @param d response timeout, {@code > 0}; default 30 s */
        public Builder timeout(Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("timeout must be > 0");
            }
            this.timeout = d;
            return this;
        }

        /** @param d connect timeout, {@code > 0}; default 5 s */
        public Builder connectTimeout(Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("connect timeout must be > 0");
            }
            this.connectTimeout = d;
            return this;
        }

        public InferenceClient build() {
            return new InferenceClient(this);
        }
    }
}
