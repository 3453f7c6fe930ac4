package io.loadgen.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an error ({@code {"error":{"code","message"}}}), or could not be reached. Subclasses
 * say what kind, so callers can catch what they can act on.
 */
public class InferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public InferenceException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    /** @return the HTTP status, or 0 when no response arrived */
    public int status() {
        return status;
    }

    /** @return the server's error code (e.g. {@code bad_image}, {@code queue_full}), or {@code io} */
    public String code() {
        return code;
    }

    /** @return whether the same request may succeed later (overload, deadline, network) */
    public boolean retryable() {
        return false;
    }

    /** 4xx: the request itself is wrong; sending it again will not help. */
    public static final class BadRequest extends InferenceException {
        private static final long serialVersionUID = 1L;

        public BadRequest(int status, String code, String message) {
            super(status, code, message, null);
        }
    }

    /** 503: the server is overloaded, loading or shutting down; retry after {@link #retryAfter()}. */
    public static final class Unavailable extends InferenceException {
        private static final long serialVersionUID = 1L;

        private final Duration retryAfter;

        public Unavailable(String code, String message, Duration retryAfter) {
            super(503, code, message, null);
            this.retryAfter = retryAfter;
        }

        /** @return the server's Retry-After, if it sent one */
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** 504: the request's deadline passed before inference. */
    public static final class DeadlineExceeded extends InferenceException {
        private static final long serialVersionUID = 1L;

        public DeadlineExceeded(String code, String message) {
            super(504, code, message, null);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** Any other 5xx: a server bug. */
    public static final class ServerError extends InferenceException {
        private static final long serialVersionUID = 1L;

        public ServerError(int status, String code, String message) {
            super(status, code, message, null);
        }
    }

    /** No response: connection refused, reset, timed out. */
    public static final class Io extends InferenceException {
        private static final long serialVersionUID = 1L;

        public Io(String message, Throwable cause) {
            super(0, "io", message, cause);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }
}
