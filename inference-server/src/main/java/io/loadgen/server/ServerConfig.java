package io.loadgen.server;

import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.image.ImageDecoder;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link InferenceServer}. Immutable; {@link #custom()} gives a builder whose defaults are listed on
 * each setter.
 */
public final class ServerConfig {
    private final String host;
    private final int port;
    private final BatcherConfig batcher;
    private final long maxBodyBytes;
    private final long maxPixels;
    private final int defaultTopK;
    private final Duration drainTimeout;
    private final int acceptQueue;
    private final int maxThreads;
    private final int batchLaneMinItems;
    private final int maxItemsPerRequest;
    private final String imageUrlAllow;
    private final ImageDecoder.Kind imageDecoder;

    private ServerConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.batcher = b.batcher;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxPixels = b.maxPixels;
        this.defaultTopK = b.defaultTopK;
        this.drainTimeout = b.drainTimeout;
        this.acceptQueue = b.acceptQueue;
        this.maxThreads = b.maxThreads;
        this.batchLaneMinItems = b.batchLaneMinItems;
        this.maxItemsPerRequest = b.maxItemsPerRequest;
        this.imageUrlAllow = b.imageUrlAllow;
        this.imageDecoder = b.imageDecoder;
    }

    public static Builder custom() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public BatcherConfig batcher() {
        return batcher;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    public long maxPixels() {
        return maxPixels;
    }

    public int defaultTopK() {
        return defaultTopK;
    }

    public Duration drainTimeout() {
        return drainTimeout;
    }

    public int acceptQueue() {
        return acceptQueue;
    }

    public int maxThreads() {
        return maxThreads;
    }

    /** @return the item count from which a request goes to the batch lane */
    public int batchLaneMinItems() {
        return batchLaneMinItems;
    }

    /**
     * @return the most items (images, regions, batch rows) one request may carry: the configured
     *     maxItemsPerRequest, bounded by the batcher's queue capacity (a larger request could never fit in its lane)
     */
    public int maxItemsPerRequest() {
        return Math.min(maxItemsPerRequest, batcher.queueCapacity());
    }

    /**
     * @return the most parts of one {@code multipart/form-data} body, whatever their names: the
     *     {@link #maxItemsPerRequest()} image parts and a {@code top_k} field. The HTTP server stops reading a body at
     *     the part beyond it, and {@code /v1/classify} answers 413 {@code too_many_items}.
     */
    public int maxMultipartParts() {
        return maxItemsPerRequest() + 1;
    }

    /** @return the {@code host[:port],...} list images may be fetched from by URL; empty refuses every URL */
    public String imageUrlAllow() {
        return imageUrlAllow;
    }

    /** @return what decodes images */
    public ImageDecoder.Kind imageDecoder() {
        return imageDecoder;
    }

    /** Builds a {@link ServerConfig}. */
    public static final class Builder {
        private String host = ServerSettings.SERVER_IP.defaultValue();
        private int port = ServerSettings.SERVER_PORT.defaultValue();
        private BatcherConfig batcher = BatcherConfig.DEFAULT;
        private long maxBodyBytes = 10L << 20;
        private long maxPixels = 40_000_000L;
        private int defaultTopK = 5;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private int acceptQueue = 1024;
        private int maxThreads = 200;
        private int batchLaneMinItems = ServerSettings.BATCH_LANE_MIN_ITEMS.defaultValue();
        private int maxItemsPerRequest = ServerSettings.MAX_ITEMS.defaultValue();
        private String imageUrlAllow = ServerSettings.IMAGE_URL_ALLOW.defaultValue();
        private ImageDecoder.Kind imageDecoder = ServerSettings.IMAGE_DECODER.defaultValue();

        private Builder() {
        }

        /** @param h address to bind ({@link ServerSettings#SERVER_IP}); default 127.0.0.1 (loopback only) */
        public Builder host(String h) {
            this.host = ServerSettings.SERVER_IP.check(h);
            return this;
        }

        /** @param p port in [0, 65535], 0 for an ephemeral one ({@link ServerSettings#SERVER_PORT}); default 8091 */
        public Builder port(int p) {
            this.port = ServerSettings.SERVER_PORT.check(p);
            return this;
        }

        /** @param b batching settings; default {@link BatcherConfig#DEFAULT} */
        public Builder batcher(BatcherConfig b) {
            this.batcher = Objects.requireNonNull(b);
            return this;
        }

        /** @param n largest request body in bytes, in [1 KiB, 1 GiB]; larger gets 413; default 10 MiB */
        public Builder maxBodyBytes(long n) {
            if (n < 1024 || n > (1L << 30)) {
                throw new IllegalArgumentException("max body size must be in [1024, 1073741824] bytes, got " + n);
            }
            this.maxBodyBytes = n;
            return this;
        }

        /** @param n largest image in pixels (width x height), >= 1; larger gets 400 before decoding; default 40 M */
        public Builder maxPixels(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("max pixels must be >= 1, got " + n);
            }
            this.maxPixels = n;
            return this;
        }

        /** @param k predictions returned when a request does not say, >= 1; default 5 */
        public Builder defaultTopK(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("default top_k must be >= 1, got " + k);
            }
            this.defaultTopK = k;
            return this;
        }

        /** @param d on shutdown, the longest wait for accepted requests to finish, >= 0; default 10 s */
        public Builder drainTimeout(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("drain timeout must be >= 0, got " + d);
            }
            this.drainTimeout = d;
            return this;
        }

        /** @param n TCP accept backlog, in [1, 65535]; default 1024 (Jetty's own default is 50) */
        public Builder acceptQueue(int n) {
            if (n < 1 || n > 65535) {
                throw new IllegalArgumentException("accept queue must be in [1, 65535], got " + n);
            }
            this.acceptQueue = n;
            return this;
        }

        /** @param n most HTTP threads, in [8, 10000]; default 200 */
        public Builder maxThreads(int n) {
            if (n < 8 || n > 10_000) {
                throw new IllegalArgumentException("max threads must be in [8, 10000], got " + n);
            }
            this.maxThreads = n;
            return this;
        }

        /**
         * @param n a request of at least {@code n} items goes to the batch lane ({@link
         *     ServerSettings#BATCH_LANE_MIN_ITEMS}), >= 1; default 64
         */
        public Builder batchLaneMinItems(int n) {
            this.batchLaneMinItems = ServerSettings.BATCH_LANE_MIN_ITEMS.check(n);
            return this;
        }

        /**
         * @param n most items in one request ({@link ServerSettings#MAX_ITEMS}), >= 1; the batcher's queue
         *     capacity bounds it too; default 256
         */
        public Builder maxItemsPerRequest(int n) {
            this.maxItemsPerRequest = ServerSettings.MAX_ITEMS.check(n);
            return this;
        }

        /**
         * @param list {@code host[:port],...} that images may be fetched from ({@link
         *     ServerSettings#IMAGE_URL_ALLOW}); default empty: every URL is refused
         */
        public Builder imageUrlAllow(String list) {
            this.imageUrlAllow = ServerSettings.IMAGE_URL_ALLOW.check(Objects.requireNonNull(list));
            return this;
        }

        /** @param kind what decodes images ({@link ServerSettings#IMAGE_DECODER}); default TENSORFLOW */
        public Builder imageDecoder(ImageDecoder.Kind kind) {
            this.imageDecoder = Objects.requireNonNull(kind);
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
