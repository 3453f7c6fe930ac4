package io.loadgen.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.batching.Lane;
import io.loadgen.server.batching.Prediction;
import io.loadgen.server.batching.Rejection;
import io.loadgen.server.image.BadImageException;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.image.Region;
import io.loadgen.server.model.ClassScore;
import io.loadgen.server.model.ModelInfo;
import io.loadgen.server.model.Thresholds;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpException;

/**
 * {@code POST /v1/classify}: one image, a list of images, or regions of one image. Images are read and preprocessed
 * on the HTTP thread and enter the batcher one by one, so they pack into batches with other requests' images; the
 * answer is written when the last of them has run.
 *
 * <ul>
 *   <li>One image: a raw {@code image/jpeg|png} body, or JSON {@code {"image": "<base64>"}} or
 *       {@code {"url": "http://..."}} (fetched by the server's {@link ImageSource}, only once the request is admitted;
 *       refused unless its host is on {@code imageUrlAllow}); answers {@code {id, model, predictions, timing}}.
 *   <li>Many images: JSON {@code {"images": ["<base64>", ...]}} or a {@code multipart/form-data} body with one or
 *       more {@code image} parts; answers {@code {id, model, results: [...], timing}} in the request's order, each a
 *       {@code {predictions, timing}} or an {@code {error: {code, message}}} for that image alone.
 *   <li>Regions: JSON {@code {"image"|"url": ..., "regions": [[x, y, w, h], ...], "consolidate": "max"|"mean"}}
 *       classifies the crops as one group of items and answers {@code {id, model, results: [{region,
 *       predictions}], consolidate, predictions, timing}}: a result per region, and {@code predictions} over the
 *       per-class maximum (the default) or mean of the regions' scores. A region outside the image is a 400.
 * </ul>
 * {@code top_k} (JSON field, query parameter or form field; default the server's) and the model's thresholds apply
 * to every list of predictions. At most {@code maxItemsPerRequest} images or regions a request, and a multipart body
 * of at most that many parts and one more for {@code top_k} (413 {@code too_many_items} beyond either).
 *
 * <p>Threading: {@link #handle} runs on an HTTP thread; the future completes on a batcher worker.
 */
final class ClassifyRoute {
    private static final Set<String> FIELDS = Set.of("image", "images", "url", "top_k", "regions", "consolidate");

    private final ObjectMapper json;
    private final ModelInfo info;
    private final ImageDecoder preprocessor;
    private final DynamicBatcher batcher;
    private final int defaultTopK;
    private final Thresholds thresholds;
    private final int batchLaneMinItems;
    private final int maxItems;
    private final ImageSource urls;

    ClassifyRoute(ObjectMapper json, ModelInfo info, ImageDecoder preprocessor, DynamicBatcher batcher,
            int defaultTopK, Thresholds thresholds, int batchLaneMinItems, int maxItems, ImageSource urls) {
        this.json = json;
        this.info = info;
        this.preprocessor = preprocessor;
        this.batcher = batcher;
        this.defaultTopK = defaultTopK;
        this.thresholds = thresholds;
        this.batchLaneMinItems = batchLaneMinItems;
        this.maxItems = maxItems;
        this.urls = urls;
    }

    /** Per-class scores are combined across regions by their maximum or their mean. */
    private enum Consolidate {
        MAX, MEAN
    }

    /** One image of a list: its bytes, or why it could not even be read (that item's error). */
    private record Item(byte[] image, ApiError error) {
    }

    /**
     * A parsed request. {@code regions} is empty unless it asked for regions; {@code many} for a list answer;
     * {@code url}, when not null, names the one image, fetched only once the request is admitted.
     */
    private record Input(List<Item> items, boolean many, List<Region> regions, Consolidate consolidate, int topK,
            String url) {
        Input(List<Item> items, boolean many, List<Region> regions, Consolidate consolidate, int topK) {
            this(items, many, regions, consolidate, topK, null);
        }

        /** @return this input with its one image's bytes */
        Input with(byte[] image) {
            return new Input(List.of(new Item(image, null)), many, regions, consolidate, topK, null);
        }
    }

    /**
     * @return the future reply; completes exceptionally with an {@link ApiError} or a batcher {@link Rejection}
     * @throws ApiError for a request that is wrong as a whole
     */
    CompletableFuture<Reply> handle(Context ctx, String requestId, long receivedNanos) {
        Input parsed = read(ctx);
        int count = parsed.regions().isEmpty() ? parsed.items().size() : parsed.regions().size();
        Lane lane = ItemBatch.lane(ctx, count, batchLaneMinItems);
        Rejection full = batcher.admissionCheck(lane, count);
        if (full != null) {
            // Overload is answered before any image is fetched or decoded: a 503 must cost next to nothing.
            return CompletableFuture.failedFuture(full);
        }
        Input input = parsed.url() != null ? parsed.with(urls.fetch(parsed.url())) : parsed;
        if (!input.regions().isEmpty()) {
            return regions(ctx, requestId, receivedNanos, input, lane);
        }
        List<float[]> pixels = new ArrayList<>();
        List<ApiError> errors = new ArrayList<>();
        for (Item item : input.items()) {
            ApiError e = item.error();
            float[] p = null;
            if (e == null) {
                try {
                    p = preprocessor.preprocess(item.image());
                } catch (BadImageException x) {
                    e = new ApiError(400, "bad_image", x.getMessage());
                }
            }
            if (e != null && !input.many()) {
                throw e;
            }
            errors.add(e);
            if (p != null) {
                pixels.add(p);
            }
        }
        List<CompletableFuture<Prediction>> futures = ItemBatch.submit(batcher, pixels, lane,
                ItemBatch.deadlineLeft(ctx, receivedNanos));
        if (!input.many()) {
            return futures.get(0).thenApply(p -> reply(single(requestId, p, input.topK(), receivedNanos)));
        }
        return ItemBatch.all(futures).thenApply(v -> reply(list(requestId, errors, futures, input.topK(),
                receivedNanos)));
    }

    private CompletableFuture<Reply> regions(Context ctx, String requestId, long receivedNanos, Input input,
            Lane lane) {
        List<float[]> crops;
        try {
            crops = preprocessor.preprocessRegions(input.items().get(0).image(), input.regions());
        } catch (Region.OutsideImageException e) {
            throw new ApiError(400, "bad_region", e.getMessage());
        } catch (BadImageException e) {
            throw new ApiError(400, "bad_image", e.getMessage());
        }
        List<CompletableFuture<Prediction>> futures = ItemBatch.submit(batcher, crops, lane,
                ItemBatch.deadlineLeft(ctx, receivedNanos));
        // The regions answer together: the first failure of any crop is the request's.
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> reply(regionsBody(requestId, input, futures, receivedNanos)));
    }

    private Reply reply(ObjectNode body) {
        try {
            return Reply.json(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Input read(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "image/jpeg", "image/png" -> {
                byte[] body = ctx.bodyAsBytes();
                if (body.length == 0) {
                    throw new ApiError(400, "empty_body", "the request body is empty: send the image bytes");
                }
                return new Input(List.of(new Item(body, null)), false, List.of(), Consolidate.MAX,
                        topKParam(ctx.queryParam("top_k")));
            }
            case "application/json" -> {
                return readJson(ctx.bodyAsBytes());
            }
            case "multipart/form-data" -> {
                return readMultipart(ctx);
            }
            default -> throw new ApiError(415, "unsupported_media_type", "Content-Type '" + ctx.contentType()
                    + "' is not supported: send image/jpeg, image/png, multipart/form-data with image parts, or"
                    + " application/json with {\"image\": \"<base64>\", \"top_k\": 5}");
        }
    }

    private int topKParam(String q) {
        return q == null || q.isBlank() ? defaultTopK : topK(q);
    }

    private Input readMultipart(Context ctx) {
        List<UploadedFile> parts;
        String topK;
        try {
            parts = ctx.uploadedFiles("image");
            topK = ctx.formParam("top_k");
        } catch (Exception e) {
            ApiError refused = multipartRefused(e);
            if (refused != null) {
                // Jetty stopped reading the body where it gave up and closes the connection after the answer: say
                // so, or a client may send its next request on a connection that is closing
                ctx.header("Connection", "close");
                throw refused;
            }
            throw e; // what Jetty did not refuse as the client's fault stays a 500
        }
        if (parts.isEmpty()) {
            throw new ApiError(400, "bad_request", "the multipart body has no 'image' part: send one part named"
                    + " 'image' per image");
        }
        checkCount(parts.size(), "images");
        List<Item> items = new ArrayList<>(parts.size());
        for (UploadedFile part : parts) {
            try (InputStream in = part.content()) {
                byte[] bytes = in.readAllBytes();
                items.add(bytes.length == 0 ? new Item(null, new ApiError(400, "empty_body", "this image part is"
                        + " empty")) : new Item(bytes, null));
            } catch (IOException e) {
                throw new ApiError(400, "bad_request", "an image part cannot be read: " + e.getMessage());
            }
        }
        return new Input(items, true, List.of(), Consolidate.MAX, topKParam(topK));
    }

    /**
     * Jetty parses the multipart body at the first look at its parts and gives up on a body it cannot take, at the
     * point where it fails, with a {@code ServletException} (thrown undeclared through Javalin) caused by a 4xx
     * {@link HttpException} (a {@code BadMessageException}, "400: bad multipart") whose cause says why: an
     * {@code IllegalStateException} "Form with too many keys [n > max]" at the part beyond its form-key limit
     * ({@code ServerConfig#maxMultipartParts}: maxItemsPerRequest + 1), or a malformed body (no boundary, cut
     * short...).
     *
     * @return the error to answer: 413 too_many_items for too many parts, 400 for a malformed body; {@code null} when
     *     {@code e} is not Jetty refusing the body
     */
    private ApiError multipartRefused(Exception e) {
        boolean refused = false;
        Throwable reason = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            refused |= t instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500;
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof IllegalStateException && m.contains("too many") && m.contains("keys")) {
                return new ApiError(413, "too_many_items", "the multipart body has more parts than one request may"
                        + " carry: at most " + maxItems + " 'image' parts (maxItemsPerRequest) and a top_k field;"
                        + " split the images over several requests");
            }
            reason = t;
        }
        if (!refused) {
            return null;
        }
        return new ApiError(400, "bad_request", "the multipart body cannot be read (" + reason.getMessage() + "):"
                + " send one part named 'image' per image, with a filename, and optionally a top_k field");
    }

    private void checkCount(int n, String what) {
        if (n > maxItems) {
            throw new ApiError(413, "too_many_items", "the request has " + n + " " + what + ", more than the "
                    + maxItems + " allowed in one request (maxItemsPerRequest)");
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
            throw new ApiError(400, "bad_json", "the body is not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ApiError(400, "bad_json", "the body must be a JSON object {\"image\": \"<base64>\", \"top_k\": 5}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ApiError(400, "bad_request", "unknown field '" + f + "': the fields are image, images, url,"
                        + " top_k, regions and consolidate");
            }
        }
        int sources = (root.has("image") ? 1 : 0) + (root.has("images") ? 1 : 0) + (root.has("url") ? 1 : 0);
        if (sources != 1) {
            throw new ApiError(400, "bad_request", "send exactly one of 'image' (base64), 'images' (a list of base64)"
                    + " and 'url'");
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
        if (root.has("images")) {
            if (root.has("regions") || root.has("consolidate")) {
                throw new ApiError(400, "bad_request", "regions apply to one image: send them with 'image' or 'url',"
                        + " not 'images'");
            }
            return new Input(images(root.get("images")), true, List.of(), Consolidate.MAX, topK);
        }
        String url = root.has("url") ? url(root.get("url")) : null;
        byte[] image = url != null ? null : base64(root.get("image"), "field 'image'");
        List<Region> regions = regions(root.get("regions"));
        Consolidate consolidate = consolidate(root.get("consolidate"), !regions.isEmpty());
        return new Input(List.of(new Item(image, null)), false, regions, consolidate, topK, url);
    }

    private List<Item> images(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            throw new ApiError(400, "bad_request", "field 'images' must be a non-empty list of base64 strings");
        }
        checkCount(list.size(), "images");
        List<Item> items = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            try {
                items.add(new Item(base64(list.get(i), "images[" + i + "]"), null));
            } catch (ApiError e) {
                items.add(new Item(null, e));
            }
        }
        return items;
    }

    private static String url(JsonNode url) {
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw new ApiError(400, "bad_request", "field 'url' must be a non-empty string");
        }
        return url.asText();
    }

    private static byte[] base64(JsonNode node, String what) {
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw new ApiError(400, "bad_request", what + " must be a non-empty base64 string");
        }
        try {
            return Base64.getMimeDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad_base64", what + " is not valid base64: " + e.getMessage());
        }
    }

    private List<Region> regions(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new ApiError(400, "bad_region", "field 'regions' must be a non-empty list of [x, y, w, h]");
        }
        checkCount(node.size(), "regions");
        List<Region> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            if (!r.isArray() || r.size() != 4) {
                throw new ApiError(400, "bad_region", "regions[" + i + "] must be [x, y, w, h] in pixels, got " + r);
            }
            int[] v = new int[4];
            for (int j = 0; j < 4; j++) {
                if (!r.get(j).canConvertToInt() || !r.get(j).isIntegralNumber()) {
                    throw new ApiError(400, "bad_region", "regions[" + i + "] must hold whole numbers of pixels, got "
                            + r);
                }
                v[j] = r.get(j).intValue();
            }
            try {
                out.add(new Region(v[0], v[1], v[2], v[3]));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "bad_region", "regions[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private static Consolidate consolidate(JsonNode node, boolean hasRegions) {
        if (node == null || node.isNull()) {
            return Consolidate.MAX;
        }
        if (!hasRegions) {
            throw new ApiError(400, "bad_request", "'consolidate' applies to regions: send 'regions' too");
        }
        return switch (node.asText()) {
            case "max" -> Consolidate.MAX;
            case "mean" -> Consolidate.MEAN;
            default -> throw new ApiError(400, "bad_request", "consolidate must be \"max\" or \"mean\", got " + node);
        };
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

    private ObjectNode single(String requestId, Prediction p, int topK, long receivedNanos) {
        ObjectNode root = header(requestId);
        predictions(root, p.scores(), topK);
        timing(root.putObject("timing"), p);
        total(root, receivedNanos);
        return root;
    }

    private ObjectNode list(String requestId, List<ApiError> errors, List<CompletableFuture<Prediction>> futures,
            int topK, long receivedNanos) {
        ObjectNode root = header(requestId);
        ArrayNode results = root.putArray("results");
        int next = 0;
        for (ApiError before : errors) {
            ObjectNode r = results.addObject();
            ApiError e = before;
            Prediction p = null;
            if (e == null) {
                CompletableFuture<Prediction> f = futures.get(next++);
                try {
                    p = f.join();
                } catch (RuntimeException x) {
                    e = ApiError.of(x);
                }
            }
            if (e != null) {
                ObjectNode err = r.putObject("error");
                err.put("code", e.code());
                err.put("message", e.getMessage());
            } else {
                predictions(r, p.scores(), topK);
                timing(r.putObject("timing"), p);
            }
        }
        total(root, receivedNanos);
        return root;
    }

    private ObjectNode regionsBody(String requestId, Input input, List<CompletableFuture<Prediction>> futures,
            long receivedNanos) {
        ObjectNode root = header(requestId);
        ArrayNode results = root.putArray("results");
        float[] combined = null;
        Prediction first = null;
        for (int i = 0; i < futures.size(); i++) {
            Prediction p = futures.get(i).join();
            first = first == null ? p : first;
            Region g = input.regions().get(i);
            ObjectNode r = results.addObject();
            r.putArray("region").add(g.x()).add(g.y()).add(g.width()).add(g.height());
            predictions(r, p.scores(), input.topK());
            float[] s = p.scores();
            if (combined == null) {
                combined = s.clone();
            } else {
                for (int c = 0; c < s.length; c++) {
                    // a NaN of any region makes that class's consolidated score NaN: never returned
                    combined[c] = input.consolidate() == Consolidate.MAX
                            ? (Float.isNaN(s[c]) || Float.isNaN(combined[c]) ? Float.NaN : Math.max(combined[c], s[c]))
                            : combined[c] + s[c];
                }
            }
        }
        if (input.consolidate() == Consolidate.MEAN) {
            for (int c = 0; c < combined.length; c++) {
                combined[c] /= futures.size();
            }
        }
        root.put("consolidate", input.consolidate().name().toLowerCase(Locale.ROOT));
        predictions(root, combined, input.topK());
        timing(root.putObject("timing"), first);
        total(root, receivedNanos);
        return root;
    }

    private ObjectNode header(String requestId) {
        ObjectNode root = json.createObjectNode();
        root.put("id", requestId);
        root.put("model", info.name());
        return root;
    }

    private void predictions(ObjectNode into, float[] s, int topK) {
        ArrayNode preds = into.putArray("predictions");
        // the tested rule of Thresholds.topK: best first (ties to the lower id, NaN last), then each class's
        // threshold, so a response may hold fewer than top_k predictions; a NaN score never passes
        for (ClassScore c : thresholds.topK(s, Math.min(topK, s.length), Labels.padded(info.classes(),
                s.length))) {
            ObjectNode pr = preds.addObject();
            pr.put("class_id", c.classId());
            pr.put("label", c.label());
            pr.put("score", c.score());
        }
    }

    private static void timing(ObjectNode timing, Prediction p) {
        timing.put("queue_ms", ms(p.queueTime()));
        timing.put("batch_size", p.batchSize());
        timing.put("inference_ms", ms(p.inferenceTime()));
    }

    private static void total(ObjectNode root, long receivedNanos) {
        ObjectNode timing = root.has("timing") ? (ObjectNode) root.get("timing") : root.putObject("timing");
        timing.put("total_ms", ms(Duration.ofNanos(System.nanoTime() - receivedNanos)));
    }

    private static double ms(Duration d) {
        return Math.round(d.toNanos() / 1e3) / 1e3;
    }
}
