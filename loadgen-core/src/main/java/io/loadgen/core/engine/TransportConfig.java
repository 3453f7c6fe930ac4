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

    private TransportConfig(Builder b) {
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
                .build();
    }

    /** @return a builder holding this config's values */
    public Builder toBuilder() {
        return custom().httpVersion(httpVersion).connections(connections).connectTimeout(connectTimeout)
                .responseTimeout(responseTimeout).ioThreads(ioThreads);
    }

    public HttpVersion httpVersion() {
        return httpVersion;
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

    public int ioThreads() {
        return ioThreads;
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
                + ioThreads + "]";
    }

    /** Builds a {@link TransportConfig}. */
    public static final class Builder {
        private HttpVersion httpVersion = CoreSettings.HTTP_VERSION.defaultValue();
        private int connections = CoreSettings.CONNECTIONS.defaultValue();
        private Duration connectTimeout = CoreSettings.CONNECT_TIMEOUT.defaultValue();
        private Duration responseTimeout = CoreSettings.RESPONSE_TIMEOUT.defaultValue();
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());

        private Builder() {
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
