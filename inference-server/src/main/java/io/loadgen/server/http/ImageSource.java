package io.loadgen.server.http;

/**
 * Where an image named by URL comes from. Implementations must be thread-safe: the HTTP threads share one.
 */
@FunctionalInterface
interface ImageSource {
    /**
     * @param url the URL a request named
     * @return the image's bytes
     * @throws ApiError 400 {@code url_not_allowed} when the URL may not be fetched, 502 {@code url_fetch_failed}
     *     when fetching it failed
     */
    byte[] fetch(String url);

    /**
     * @return a source that fetches with {@code fetcher}: a refusal is 400 {@code url_not_allowed}, a failed fetch
     *     502 {@code url_fetch_failed}, each with the fetcher's message
     */
    static ImageSource of(io.loadgen.server.image.ImageUrlFetcher fetcher) {
        return url -> {
            try {
                return fetcher.fetch(url);
            } catch (io.loadgen.server.image.UrlNotAllowedException e) {
                throw new ApiError(400, "url_not_allowed", e.getMessage());
            } catch (io.loadgen.server.image.UrlFetchException e) {
                throw new ApiError(502, "url_fetch_failed", e.getMessage());
            }
        };
    }

    /** @return a source that refuses every URL, as the server does while {@code imageUrlAllow} is empty */
    static ImageSource none() {
        return url -> {
            throw new ApiError(400, "url_not_allowed", "images by URL are off on this server: its imageUrlAllow"
                    + " (--image-url-allow) lists no host");
        };
    }
}
