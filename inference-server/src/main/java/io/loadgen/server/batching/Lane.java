package io.loadgen.server.batching;

import java.util.Locale;

/** A priority lane of the batcher: realtime requests are served first, batch requests are not starved. */
public enum Lane {
    /** Interactive traffic: taken first into every batch. */
    REALTIME,
    /** Bulk traffic: fills what realtime leaves, and gets precedence once it has waited too long. */
    BATCH;

    /**
     * @param header the {@code X-Priority} header value, or {@code null}
     * @return the lane; {@link #REALTIME} when absent
     * @throws IllegalArgumentException for any other value, naming the allowed ones
     */
    public static Lane ofHeader(String header) {
        if (header == null || header.isBlank()) {
            return REALTIME;
        }
        return switch (header.trim().toLowerCase(Locale.ROOT)) {
            case "realtime" -> REALTIME;
            case "batch" -> BATCH;
            default -> throw new IllegalArgumentException("X-Priority must be realtime or batch, got '" + header + "'");
        };
    }

    /** @return the lane's name as metrics and headers spell it */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
