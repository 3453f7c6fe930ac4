package io.loadgen.server.http;

import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.batching.Lane;
import io.loadgen.server.batching.Prediction;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The images of one request on their way into the batcher, for both protocols: which lane they take, how long they
 * may wait, and their submission one by one, so that they pack into batches with other requests' images.
 *
 * <p>Lane: {@code X-Priority: batch} sends any request to the batch lane; a request of at least
 * {@code batchLaneMinItems} images goes there whatever it says (a large request cannot take the realtime lane);
 * everything else is realtime. Deadline: {@code X-Deadline-Ms} in [1, {@value #MAX_DEADLINE_MS}], counted from the
 * request's arrival, so time spent reading and decoding is already gone; absent, the batcher's default applies.
 */
final class ItemBatch {
    /** Longest deadline a client may ask for with {@code X-Deadline-Ms}: one hour. */
    static final long MAX_DEADLINE_MS = 3_600_000;

    private ItemBatch() {
    }

    /**
     * @param items the request's images, {@code >= 1}
     * @return the lane its images take
     * @throws ApiError 400 for an X-Priority other than realtime or batch
     */
    static Lane lane(Context ctx, int items, int batchLaneMinItems) {
        Lane asked;
        try {
            asked = Lane.ofHeader(ctx.header("X-Priority"));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad_request", e.getMessage());
        }
        return items >= batchLaneMinItems ? Lane.BATCH : asked;
    }

    /**
     * @return the deadline left now, or {@code null} for the batcher's default
     * @throws ApiError 400 for a malformed or out-of-range X-Deadline-Ms
     */
    static Duration deadlineLeft(Context ctx, long receivedNanos) {
        String header = ctx.header("X-Deadline-Ms");
        if (header == null || header.isBlank()) {
            return null;
        }
        long ms;
        try {
            ms = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 1 || ms > MAX_DEADLINE_MS) {
            throw new ApiError(400, "bad_request", "X-Deadline-Ms must be a whole number of milliseconds in [1, "
                    + MAX_DEADLINE_MS + "], got '" + header + "'");
        }
        Duration left = Duration.ofMillis(ms).minusNanos(System.nanoTime() - receivedNanos);
        return left.isNegative() || left.isZero() ? Duration.ofNanos(1) : left;
    }

    /**
     * Submits each image in order.
     *
     * @return one future per image, in the same order; each completes with its prediction or exceptionally (a
     *     {@link io.loadgen.server.batching.Rejection} or the model's exception)
     */
    static List<CompletableFuture<Prediction>> submit(DynamicBatcher batcher, List<float[]> images, Lane lane,
            Duration deadline) {
        List<CompletableFuture<Prediction>> out = new ArrayList<>(images.size());
        for (float[] image : images) {
            out.add(batcher.submit(image, lane, deadline));
        }
        return out;
    }

    /** @return a future that completes when every one of {@code futures} has, successfully or not */
    static CompletableFuture<Void> all(List<? extends CompletableFuture<?>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
    }
}
