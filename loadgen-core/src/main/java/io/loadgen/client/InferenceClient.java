package io.loadgen.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A typed client of the inference server's wire contract ({@code POST /v1/classify}, {@code /health/ready},
 * {@code /v1/models}), synchronous or with {@link CompletableFuture}s. Errors arrive as the subclasses of
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
        if (options.priority() != null) {
            req.header("X-Priority", options.priority());
        }
        if (options.deadline() != null) {
            req.header("X-Deadline-Ms", Long.toString(Math.max(1, options.deadline().toMillis())));
        }
        if (options.requestId() != null) {
            req.header("X-Request-Id", options.requestId());
        }
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((resp, err) -> {
                    if (err != null) {
                        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause()
                                : err;
                        throw new InferenceException.Io("no response from " + base + ": " + c, c);
                    }
                    return parse(resp);
                });
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
        try {
            JsonNode root = JSON.readTree(r.body());
            List<Classification.Prediction> preds = new ArrayList<>();
            for (JsonNode p : root.path("predictions")) {
                preds.add(new Classification.Prediction(p.path("class_id").asInt(), p.path("label").asText(),
                        p.path("score").asDouble()));
            }
            JsonNode t = root.path("timing");
            return new Classification(root.path("id").asText(), root.path("model").asText(), preds,
                    new Classification.Timing(ms(t.path("queue_ms").asDouble()), t.path("batch_size").asInt(),
                            ms(t.path("inference_ms").asDouble()), ms(t.path("total_ms").asDouble())));
        } catch (IOException e) {
            throw new InferenceException.ServerError(200, "bad_response", "the server's answer is not JSON: " + e);
        }
    }

    private static InferenceException error(HttpResponse<byte[]> r) {
        String code = "http_" + r.statusCode();
        String message = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode e = JSON.readTree(r.body()).path("error");
            if (e.has("code")) {
                code = e.path("code").asText();
                message = e.path("message").asText();
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
