package io.loadgen.server.http;

import java.time.Duration;

/**
 * An error answered as {@code {"error":{"code","message"}}} with an HTTP status.
 */
public final class ApiError extends RuntimeException {
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
}
