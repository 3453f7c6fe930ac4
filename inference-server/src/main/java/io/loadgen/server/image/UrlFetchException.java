package io.loadgen.server.image;

/**
 * Fetching an allowed URL failed: the host could not be resolved or reached, a timeout expired, the response was not
 * 2xx, the body was larger than the limit, or there were too many redirects. The message says why, for the client;
 * the HTTP layer answers 502 {@code url_fetch_failed}.
 */
public final class UrlFetchException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the fetch failed, e.g. {@code the response was 404}
     * @param cause the I/O error behind it, or {@code null}
     */
    public UrlFetchException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** @param message why the fetch failed */
    public UrlFetchException(String message) {
        this(message, null);
    }
}
