package io.loadgen.core.engine;

import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
import java.time.Duration;

/**
 * Settings of the HTTP transport. Immutable; {@link #custom()} gives a builder whose defaults are listed on each
 * setter.
 */
public final class TransportConfig {
    /** The HTTP version spoken to the target. */
    public enum HttpVersion {
        /** HTTP/1.1 over a pool of connections, one request at a time on each. */
        HTTP_1_1,
        /** HTTP/2 (h2c prior knowledge for http://, ALPN for https://), many streams on each connection. */
        HTTP_2
    }

    /** Which transport sends the requests. */
    public enum Kind {
        /** The lean transport for plain http:// HTTP/1.1, HttpClient 5 for anything else. */
        AUTO,
        /** The lean transport: Netty event loops that own their connections and their share of the schedule. */
        LEAN,
        /** Apache HttpClient 5's async client. */
        HTTPCLIENT
    }

    /** Settings with every default. */
    public static final TransportConfig DEFAULT = custom().build();

    /** Lowest number of connections when sized from the rate. */
    public static final int MIN_AUTO_CONNECTIONS = 8;
    /** Highest number of connections when sized from the rate. */
    public static final int MAX_AUTO_CONNECTIONS = 1024;
    /** Highest number of connections that may be set. */
    public static final int MAX_CONNECTIONS = 65_536;

    private final HttpVersion httpVersion;
    private final int connections;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final int ioThreads;
    private final Kind kind;
    private final int pipelining;
    private final int keepBodyBytes;

    private TransportConfig(Builder b) {
        this.kind = b.kind;
        this.pipelining = b.pipelining;
        this.keepBodyBytes = b.keepBodyBytes;
        this.httpVersion = b.httpVersion;
        this.connections = b.connections;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.ioThreads = b.ioThreads;
    }

    public static Builder custom() {
        return new Builder();
    }

    /** @return the transport settings of these values ({@link CoreSettings#TRANSPORT_GROUP}) */
    public static TransportConfig from(Settings s) {
        return custom()
                .httpVersion(s.get(CoreSettings.HTTP_VERSION))
                .connections(s.get(CoreSettings.CONNECTIONS))
                .connectTimeout(s.get(CoreSettings.CONNECT_TIMEOUT))
                .responseTimeout(s.get(CoreSettings.RESPONSE_TIMEOUT))
                .kind(s.get(CoreSettings.TRANSPORT))
                .pipelining(s.get(CoreSettings.PIPELINE))
                .build();
    }

    /** @return a builder holding this config's values */
    public Builder toBuilder() {
        return custom().httpVersion(httpVersion).connections(connections).connectTimeout(connectTimeout)
                .responseTimeout(responseTimeout).ioThreads(ioThreads).kind(kind).pipelining(pipelining)
                .keepBodyBytes(keepBodyBytes);
    }

    public HttpVersion httpVersion() {
        return httpVersion;
    }

    /** @return how much of each response body the transport keeps (0: none, bodies are discarded) */
    public int keepBodyBytes() {
        return keepBodyBytes;
    }

    /** @return the connection count, or 0 for "sized from the rate" (see {@link #connectionsFor(double)}) */
    public int connections() {
        return connections;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration responseTimeout() {
        return responseTimeout;
    }

    /** @return I/O threads: HttpClient's reactor threads, or the lean transport's event loops */
    public int ioThreads() {
        return ioThreads;
    }

    /** @return the transport asked for ({@link Kind#AUTO}: chosen by the target) */
    public Kind kind() {
        return kind;
    }

    /** @return requests the lean transport sends on one connection before the first response, {@code >= 1} */
    public int pipelining() {
        return pipelining;
    }

    /**
     * @param target the target URL
     * @return whether the lean transport serves it: {@code lean}, or {@code auto} with plain http:// HTTP/1.1
     * @throws IllegalArgumentException for {@code lean} with a target it cannot speak to
     */
    public boolean leanFor(java.net.URI target) {
        boolean plain = "http".equalsIgnoreCase(target.getScheme()) && httpVersion == HttpVersion.HTTP_1_1;
        return switch (kind) {
            case HTTPCLIENT -> false;
            case AUTO -> plain;
            case LEAN -> {
                if (!plain) {
                    throw new IllegalArgumentException("the lean transport speaks plain http:// HTTP/1.1 only; "
                            + target + " with HTTP " + (httpVersion == HttpVersion.HTTP_2 ? "2" : "1.1")
                            + " needs --transport httpclient (or auto)");
                }
                yield true;
            }
        };
    }

    /**
     * The connection count used for a peak rate: the configured one, or, when sized from the rate, enough for every
     * request of 20 ms at that rate to have a connection of its own (Little's law), between
     * {@link #MIN_AUTO_CONNECTIONS} and {@link #MAX_AUTO_CONNECTIONS}.
     *
     * @param peakRate requests per second, {@code >= 0}
     * @return connections, {@code >= 1}
     */
    public int connectionsFor(double peakRate) {
        if (connections > 0) {
            return connections;
        }
        long n = (long) Math.ceil(peakRate * 0.020);
        return (int) Math.max(MIN_AUTO_CONNECTIONS, Math.min(MAX_AUTO_CONNECTIONS, n));
    }

    @Override
    public String toString() {
        return "TransportConfig[" + httpVersion + ", connections=" + (connections == 0 ? "auto" : connections)
                + ", connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout + ", ioThreads="
                + ioThreads + ", transport=" + kind + ", pipelining=" + pipelining + "]";
    }

    /** Builds a {@link TransportConfig}. */
    public static final class Builder {
        private HttpVersion httpVersion = CoreSettings.HTTP_VERSION.defaultValue();
        private int connections = CoreSettings.CONNECTIONS.defaultValue();
        private Duration connectTimeout = CoreSettings.CONNECT_TIMEOUT.defaultValue();
        private Duration responseTimeout = CoreSettings.RESPONSE_TIMEOUT.defaultValue();
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Kind kind = CoreSettings.TRANSPORT.defaultValue();
        private int pipelining = CoreSettings.PIPELINE.defaultValue();
        private int keepBodyBytes;

        private Builder() {
        }

        /**
         * @param n how much of each response body the transport keeps for the answer's checks, in
         *     {@code [0, 16 MiB]}; default 0: bodies are read and discarded. The engine sets it when a check reads
         *     the body ({@link ResponseChecks#BODY_BYTES}).
         */
        public Builder keepBodyBytes(int n) {
            if (n < 0 || n > (16 << 20)) {
                throw new IllegalArgumentException("keepBodyBytes must be in [0, 16777216], got " + n);
            }
            this.keepBodyBytes = n;
            return this;
        }

        /** @param k the transport ({@link Kind}); default {@link Kind#AUTO} */
        public Builder kind(Kind k) {
            this.kind = CoreSettings.TRANSPORT.check(k);
            return this;
        }

        /** @param n requests on one connection before its first response (lean transport), in [1, 64]; default 1 */
        public Builder pipelining(int n) {
            this.pipelining = CoreSettings.PIPELINE.check(n);
            return this;
        }

        /** @param v HTTP version; default {@link HttpVersion#HTTP_1_1} */
        public Builder httpVersion(HttpVersion v) {
            this.httpVersion = java.util.Objects.requireNonNull(v, "httpVersion");
            return this;
        }

        /**
         * @param n connections to the target (HTTP/1.1: the pool size; HTTP/2: connections carrying streams), in
         *     {@code [1, MAX_CONNECTIONS]}, or 0 (default) to size the pool from the peak rate
         */
        public Builder connections(int n) {
            this.connections = CoreSettings.CONNECTIONS.check(n);
            return this;
        }

        /** @param d time to establish a connection, {@code > 0}; default 5 s */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = CoreSettings.CONNECT_TIMEOUT.check(d);
            return this;
        }

        /** @param d time to wait for a complete response once sent, {@code > 0}; default 30 s */
        public Builder responseTimeout(Duration d) {
            this.responseTimeout = CoreSettings.RESPONSE_TIMEOUT.check(d);
            return this;
        }

        /** @param n I/O reactor threads, in {@code [1, 64]}; default the number of processors */
        public Builder ioThreads(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("ioThreads must be in [1, 64], got " + n);
            }
            this.ioThreads = n;
            return this;
        }

        public TransportConfig build() {
            return new TransportConfig(this);
        }
    }
}
