package io.loadgen.server.http;

import io.loadgen.server.batching.Rejection;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.slf4j.LoggerFactory;

/**
 * An error answered with an HTTP status: as {@code {"error":{"code","message"}}} on {@code /v1}, as
 * {@code {"error": "message"}} on the KServe v2 routes.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final Duration retryAfter;

    public ApiError(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiError(int status, String code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** @return the wait to advertise in {@code Retry-After}, or {@code null} */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * @param err what a request's future failed with: an ApiError, a batcher {@link Rejection} (503 or 504), or
     *     anything else, which is a failed inference (500, logged)
     * @return the error to answer
     */
    static ApiError of(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (t instanceof ApiError a) {
            return a;
        }
        if (t instanceof Rejection r) {
            return switch (r.reason()) {
                case QUEUE_FULL -> new ApiError(503, "queue_full", r.getMessage(), r.retryAfter());
                case NOT_READY -> new ApiError(503, "not_ready", r.getMessage(), Duration.ofSeconds(1));
                case SHUTTING_DOWN -> new ApiError(503, "shutting_down", r.getMessage(), Duration.ofSeconds(1));
                case DEADLINE_EXCEEDED -> new ApiError(504, "deadline_exceeded", r.getMessage());
            };
        }
        LoggerFactory.getLogger(ApiError.class).error("inference failed", t);
        return new ApiError(500, "internal", "inference failed: " + t);
    }
}
