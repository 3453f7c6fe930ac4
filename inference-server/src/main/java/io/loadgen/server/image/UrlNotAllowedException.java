package io.loadgen.server.image;

/**
 * The URL may not be fetched: its scheme is not {@code http} or {@code https}, it is malformed or has user-info, its
 * host and port are not on {@code imageUrlAllow}, its host resolves to an address that is refused, or a redirect
 * leads to such a URL. Nothing was fetched from the refused URL. The message says why, for the client; the HTTP
 * layer answers 400 {@code url_not_allowed}.
 */
public final class UrlNotAllowedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message why the URL is refused, e.g. {@code host 'evil.com' is not on imageUrlAllow (allowed: a, b)} */
    public UrlNotAllowedException(String message) {
        super(message, null, false, false);
    }
}
