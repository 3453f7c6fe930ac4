package io.loadgen.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.batching.Lane;
import io.loadgen.server.batching.Prediction;
import io.loadgen.server.batching.Rejection;
import io.loadgen.server.image.BadImageException;
import io.loadgen.server.image.ImagePreprocessor;
import io.loadgen.server.model.ModelInfo;
import io.loadgen.server.model.ClassScore;
import io.loadgen.server.model.Thresholds;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/classify}: reads and preprocesses the image on the HTTP thread, queues it in the batcher, and
 * answers when its batch has run. Every failure becomes an {@link ApiError}.
 */
final class ClassifyRoute {
    /** Longest deadline a client may ask for with {@code X-Deadline-Ms}: one hour. */
    static final long MAX_DEADLINE_MS = 3_600_000;

    private final ObjectMapper json;
    private final ModelInfo info;
    private final ImagePreprocessor preprocessor;
    private final DynamicBatcher batcher;
    private final int defaultTopK;
    private final Thresholds thresholds;

    ClassifyRoute(ObjectMapper json, ModelInfo info, ImagePreprocessor preprocessor, DynamicBatcher batcher,
            int defaultTopK, Thresholds thresholds) {
        this.json = json;
        this.info = info;
        this.preprocessor = preprocessor;
        this.batcher = batcher;
        this.defaultTopK = defaultTopK;
        this.thresholds = thresholds;
    }

    /** A parsed request: the image bytes and how many predictions to return. */
    private record Input(byte[] image, int topK) {
    }

    /**
     * @return the future response body; completes exceptionally with an {@link ApiError} or a batcher rejection
     */
    CompletableFuture<ObjectNode> handle(Context ctx, String requestId, long receivedNanos) {
        Input input = read(ctx);
        Lane lane;
        try {
            lane = Lane.ofHeader(ctx.header("X-Priority"));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad_request", e.getMessage());
        }
        Duration deadline = deadline(ctx.header("X-Deadline-Ms"));
        Rejection full = batcher.admissionCheck(lane);
        if (full != null) {
            // Overload is answered before the image is decoded: a 503 must cost next to nothing.
            return CompletableFuture.failedFuture(full);
        }
        float[] pixels;
        try {
            pixels = preprocessor.preprocess(input.image());
        } catch (BadImageException e) {
            throw new ApiError(400, "bad_image", e.getMessage());
        }
        if (deadline != null) {
            // The deadline counts from arrival: time spent reading and decoding is already gone.
            deadline = deadline.minusNanos(System.nanoTime() - receivedNanos);
            if (deadline.isNegative() || deadline.isZero()) {
                deadline = Duration.ofNanos(1);
            }
        }
        return batcher.submit(pixels, lane, deadline)
                .thenApply(p -> body(requestId, p, input.topK(), receivedNanos));
    }

    private Input read(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "image/jpeg", "image/png" -> {
                int topK = defaultTopK;
                String q = ctx.queryParam("top_k");
                if (q != null) {
                    topK = topK(q);
                }
                byte[] body = ctx.bodyAsBytes();
                if (body.length == 0) {
                    throw new ApiError(400, "empty_body", "the request body is empty: send the image bytes");
                }
                return new Input(body, topK);
            }
            case "application/json" -> {
                return readJson(ctx.bodyAsBytes());
            }
            default -> throw new ApiError(415, "unsupported_media_type", "Content-Type '" + ctx.contentType()
                    + "' is not supported: send image/jpeg, image/png, or application/json with"
                    + " {\"image\": \"<base64>\", \"top_k\": 5}");
        }
    }

    private Input readJson(byte[] body) {
        if (body.length == 0) {
            throw new ApiError(400, "empty_body", "the request body is empty: send {\"image\": \"<base64>\"}");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new ApiError(400, "bad_json", "the body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ApiError(400, "bad_json", "the body must be a JSON object {\"image\": \"<base64>\", \"top_k\": 5}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("image") && !f.equals("top_k")) {
                throw new ApiError(400, "bad_request", "unknown field '" + f + "': the fields are image and top_k");
            }
        }
        JsonNode image = root.get("image");
        if (image == null || !image.isTextual() || image.asText().isEmpty()) {
            throw new ApiError(400, "bad_request", "field 'image' must be a non-empty base64 string");
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(image.asText());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad_base64", "field 'image' is not valid base64: " + e.getMessage());
        }
        int topK = defaultTopK;
        JsonNode k = root.get("top_k");
        if (k != null && !k.isNull()) {
            if (!k.isIntegralNumber()) {
                throw new ApiError(400, "bad_request", "top_k must be a whole number in [1, " + info.classes().size()
                        + "], got " + k);
            }
            topK = topK(k.asText());
        }
        return new Input(bytes, topK);
    }

    private int topK(String text) {
        int max = info.classes().size();
        try {
            int k = Integer.parseInt(text.trim());
            if (k >= 1 && k <= max) {
                return k;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiError(400, "bad_request", "top_k must be a whole number in [1, " + max + "], got '" + text + "'");
    }

    private static Duration deadline(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            long ms = Long.parseLong(header.trim());
            if (ms >= 1 && ms <= MAX_DEADLINE_MS) {
                return Duration.ofMillis(ms);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiError(400, "bad_request", "X-Deadline-Ms must be a whole number of milliseconds in [1, "
                + MAX_DEADLINE_MS + "], got '" + header + "'");
    }

    private ObjectNode body(String requestId, Prediction p, int topK, long receivedNanos) {
        ObjectNode root = json.createObjectNode();
        root.put("id", requestId);
        root.put("model", info.name());
        ArrayNode preds = root.putArray("predictions");
        float[] s = p.scores();
        // the tested rule of Thresholds.topK: best first (ties to the lower id, NaN last), then each class's
        // threshold, so a response may hold fewer than top_k predictions; a NaN score never passes
        for (ClassScore c : thresholds.topK(s, Math.min(topK, s.length), labels(s.length))) {
            ObjectNode pr = preds.addObject();
            pr.put("class_id", c.classId());
            pr.put("label", c.label());
            pr.put("score", c.score());
        }
        ObjectNode timing = root.putObject("timing");
        timing.put("queue_ms", ms(p.queueTime()));
        timing.put("batch_size", p.batchSize());
        timing.put("inference_ms", ms(p.inferenceTime()));
        timing.put("total_ms", ms(Duration.ofNanos(System.nanoTime() - receivedNanos)));
        return root;
    }

    /** @return the model's labels, padded to {@code n} with {@code class_<id>} when it names fewer classes */
    private List<String> labels(int n) {
        List<String> labels = info.classes();
        if (labels.size() == n) {
            return labels;
        }
        List<String> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i < labels.size() ? labels.get(i) : "class_" + i);
        }
        return out;
    }

    private static double ms(Duration d) {
        return Math.round(d.toNanos() / 1e3) / 1e3;
    }
}
