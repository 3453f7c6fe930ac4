package io.loadgen.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.image.ImageUrlFetcher;
import io.loadgen.server.image.UrlAllowList;
import io.loadgen.server.metrics.ServerMetrics;
import io.loadgen.server.model.ModelInfo;
import io.loadgen.server.model.Thresholds;
import java.time.Duration;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of the wire contract and the mapping of every failure to {@code {"error":{"code","message"}}}:
 * 400 bad input, 413 body too large, 415 content type, 503 + Retry-After when the queue is full, the model is not
 * ready or the server drains, 504 deadline passed before inference, 500 only for a bug.
 */
public final class Routes {
    private static final Logger LOG = LoggerFactory.getLogger(Routes.class);

    private final ObjectMapper json;
    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger admitting = new AtomicInteger();
    private final ImageSource urls;
    private final ImageUrlFetcher fetcher;
    private volatile ClassifyRoute classify;
    private volatile KServeInferRoute infer;
    private volatile ModelInfo info;
    private volatile DynamicBatcher batcher;
    private volatile boolean draining;
    private volatile String failure;

    public Routes(ObjectMapper json, ServerConfig config, ServerMetrics metrics) {
        this.json = json;
        this.config = config;
        this.metrics = metrics;
        if (config.imageUrlAllow().isBlank()) {
            this.fetcher = null;
            this.urls = ImageSource.none();
        } else {
            this.fetcher = new ImageUrlFetcher(ImageUrlFetcher.Config.builder()
                    .allowList(UrlAllowList.parse(config.imageUrlAllow()))
                    .maxBodyBytes((int) Math.min(config.maxBodyBytes(), ImageUrlFetcher.Config.MAX_BODY_BYTES_LIMIT))
                    .build());
            this.urls = ImageSource.of(fetcher);
        }
    }

    /** Closes the URL fetcher's connections, if there is one. */
    public void close() {
        if (fetcher != null) {
            fetcher.close();
        }
    }

    /** The model is loaded: classify and infer requests are accepted from now on. */
    public void ready(ModelInfo modelInfo, Thresholds thresholds, ImageDecoder preprocessor, DynamicBatcher b) {
        this.info = modelInfo;
        this.batcher = b;
        this.infer = new KServeInferRoute(json, modelInfo, preprocessor, b, config.batchLaneMinItems(),
                config.maxItemsPerRequest());
        this.classify = new ClassifyRoute(json, modelInfo, preprocessor, b, config.defaultTopK(), thresholds,
                config.batchLaneMinItems(), config.maxItemsPerRequest(), urls);
    }

    /** The model failed to load: the server stays not ready and says why. */
    public void failed(String why) {
        this.failure = why;
    }

    /** Shutdown began: classify requests get 503 from now on. */
    public void draining() {
        this.draining = true;
    }

    /** @return whether classify requests are accepted: loaded, not draining, and the batcher not broken */
    public boolean ready() {
        DynamicBatcher b = batcher;
        return classify != null && !draining && (b == null || b.broken().isEmpty());
    }

    /** @return the model's description, or {@code null} before it is loaded */
    public ModelInfo modelInfo() {
        return info;
    }

    /** Waits until no classify request is being handled, at most {@code timeout}. */
    public void awaitIdle(Duration timeout) {
        awaitZero(active, timeout, 5);
    }

    /** Polls {@code count} every {@code pollMillis} until it is 0, at most {@code timeout}; @return whether it is */
    private static boolean awaitZero(AtomicInteger count, Duration timeout, long pollMillis) {
        long end = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (count.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return count.get() == 0;
    }

    /** Adds the routes and error mappings. */
    public void register(RoutesConfig r) {
        r.post("/v1/classify", this::classify);
        r.get("/v1/models", this::models);
        r.get("/health/live", ctx -> send(ctx, 200, json.createObjectNode().put("live", true)));
        r.get("/health/ready", this::readiness);
        r.get("/health", ctx -> send(ctx, 200, json.createObjectNode().put("result", ready())));
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        r.exception(ApiError.class, (e, ctx) -> sendError(ctx, e));
        r.exception(HttpResponseException.class, (e, ctx) -> sendError(ctx, fromJavalin(e)));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.error("bug while handling {} {}", ctx.method(), ctx.path(), e);
            sendError(ctx, new ApiError(500, "internal", "internal error: " + e));
        });
    }

    private ApiError fromJavalin(HttpResponseException e) {
        if (e.getStatus() == 413) {
            return new ApiError(413, "payload_too_large", "the body is larger than " + config.maxBodyBytes()
                    + " bytes");
        }
        return switch (e.getStatus()) {
            case 404 -> new ApiError(404, "not_found", e.getMessage());
            case 405 -> new ApiError(405, "method_not_allowed", e.getMessage());
            default -> new ApiError(e.getStatus(), "http_" + e.getStatus(), e.getMessage());
        };
    }

    /** What a route does with an admitted request: its future reply, or an {@link ApiError} thrown at once. */
    @FunctionalInterface
    interface Handler {
        CompletableFuture<Reply> handle(Context ctx, String requestId, long receivedNanos);
    }

    private void classify(Context ctx) {
        ClassifyRoute route = classify;
        serve(ctx, route == null ? null : route::handle);
    }

    /** {@code POST /v2/models/{name}[/versions/{version}]/infer}, registered by {@link KServeRoutes}. */
    void infer(Context ctx) {
        KServeInferRoute route = infer;
        serve(ctx, route == null ? null : route::handle);
    }

    /**
     * The one way a request that runs the model is admitted, answered and counted, for both protocols: 503 while
     * draining or not ready, 413 for a body too large, then the route; the reply is written when its future
     * completes. A request counts as admitting from before the draining check until the route has submitted its
     * images, so that a drain waits for it ({@link #awaitAdmitted}) instead of refusing what it already accepted.
     */
    private void serve(Context ctx, Handler route) {
        long received = System.nanoTime();
        String id = ctx.header("X-Request-Id");
        if (id == null || id.isBlank() || id.length() > 200) {
            id = UUID.randomUUID().toString();
        }
        ctx.header("X-Request-Id", id);
        CompletableFuture<Reply> future;
        admitting.incrementAndGet();
        try {
            if (draining) {
                throw respondedError(received, new ApiError(503, "shutting_down", "the server is shutting down",
                        Duration.ofSeconds(1)));
            }
            if (route == null) {
                throw respondedError(received, new ApiError(503, "not_ready", failure != null
                        ? "the model failed to load: " + failure : "the model is loading", Duration.ofSeconds(1)));
            }
            if (ctx.contentLength() > config.maxBodyBytes()) {
                throw respondedError(received, new ApiError(413, "payload_too_large", "the body is "
                        + ctx.contentLength() + " bytes, more than the " + config.maxBodyBytes() + " allowed"));
            }
            try {
                future = route.handle(ctx, id, received);
            } catch (ApiError e) {
                throw respondedError(received, e);
            } catch (HttpResponseException e) {
                throw respondedError(received, fromJavalin(e));
            }
            active.incrementAndGet();
        } finally {
            admitting.decrementAndGet();
        }
        ctx.future(() -> future.handle((reply, err) -> {
            try {
                if (err == null) {
                    ctx.status(200).contentType(reply.contentType());
                    reply.headers().forEach(ctx::header);
                    ctx.result(reply.body());
                    metrics.responded(200, Duration.ofNanos(System.nanoTime() - received));
                } else {
                    ApiError e = ApiError.of(err);
                    sendError(ctx, e);
                    metrics.responded(e.status(), Duration.ofNanos(System.nanoTime() - received));
                }
                return null;
            } finally {
                active.decrementAndGet();
            }
        }));
    }

    /**
     * Waits until every request admitted before {@link #draining()} has submitted its images to the batcher (or
     * failed), at most {@code timeout}; the batcher may stop accepting after that without refusing any of them.
     *
     * @return whether none was still admitting when it returned
     */
    public boolean awaitAdmitted(Duration timeout) {
        return awaitZero(admitting, timeout, 1);
    }

    private ApiError respondedError(long received, ApiError e) {
        metrics.responded(e.status(), Duration.ofNanos(System.nanoTime() - received));
        return e;
    }

    private void models(Context ctx) {
        ModelInfo m = info;
        if (m == null) {
            sendError(ctx, new ApiError(503, "not_ready", failure != null ? "the model failed to load: " + failure
                    : "the model is loading", Duration.ofSeconds(1)));
            return;
        }
        ObjectNode root = json.createObjectNode();
        ArrayNode models = root.putArray("models");
        ObjectNode n = models.addObject();
        n.put("name", m.name());
        n.put("description", m.description());
        n.put("trained", m.trained());
        n.put("device", m.device());
        ArrayNode shape = n.putArray("input_shape");
        shape.add(m.preprocessing().height()).add(m.preprocessing().width()).add(m.preprocessing().channels());
        n.put("num_classes", m.classes().size());
        ArrayNode classes = n.putArray("classes");
        m.classes().forEach(classes::add);
        BatcherConfig b = config.batcher();
        ObjectNode batching = n.putObject("batching");
        batching.put("max_batch", b.maxBatch());
        batching.put("max_delay_ms", b.maxDelay().toNanos() / 1e6);
        batching.put("queue_capacity_per_lane", b.queueCapacity());
        batching.put("workers", b.workers());
        batching.put("default_deadline_ms", b.defaultDeadline().toMillis());
        batching.put("starvation_limit_ms", b.starvationLimit().toMillis());
        DynamicBatcher live = batcher;
        if (live != null) {
            batching.put("mean_batch_ms", live.meanBatchTime().toNanos() / 1e6);
        }
        send(ctx, 200, root);
    }

    private void readiness(Context ctx) {
        ObjectNode body = json.createObjectNode();
        boolean r = ready();
        body.put("ready", r);
        if (!r) {
            DynamicBatcher b = batcher;
            body.put("reason", draining ? "shutting down" : failure != null ? "model failed to load: " + failure
                    : b != null && b.broken().isPresent() ? "model failed: " + b.broken().get() : "model loading");
        }
        send(ctx, r ? 200 : 503, body);
    }

    private void send(Context ctx, int status, ObjectNode body) {
        send(json, ctx, status, body);
    }

    /** Answers {@code body} as JSON with {@code status}: the one way every route of the server writes JSON. */
    static void send(ObjectMapper json, Context ctx, int status, ObjectNode body) {
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Answers an error in the protocol of the path: {@code {"error": "message"}} under {@code /v2} (the Open
     * Inference Protocol's error object), {@code {"error": {"code", "message"}}} elsewhere; Retry-After on both.
     */
    private void sendError(Context ctx, ApiError e) {
        if (e.retryAfter() != null) {
            long seconds = Math.max(1, (long) Math.ceil(e.retryAfter().toNanos() / 1e9));
            ctx.header("Retry-After", Long.toString(seconds));
        }
        if (ctx.path().equals("/v2") || ctx.path().startsWith("/v2/")) {
            send(ctx, e.status(), json.createObjectNode().put("error", e.getMessage()));
            return;
        }
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("code", e.code());
        err.put("message", e.getMessage());
        if (e.retryAfter() != null) {
            err.put("retry_after_ms", e.retryAfter().toMillis());
        }
        send(ctx, e.status(), root);
    }

}
