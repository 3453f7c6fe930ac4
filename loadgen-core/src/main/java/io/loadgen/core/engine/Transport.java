package io.loadgen.core.engine;

/**
 * Sends requests without blocking the caller and reports back through an {@link Exchange}.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts sending a request. Returns at once; the exchange hears of its fate on another thread (or on this one
     * for an immediate failure). Exactly one of {@link Exchange#responded} and {@link Exchange#failed} is called.
     */
    void send(Request request, Exchange exchange);

    /**
     * Sets the number of connections (grow or shrink); requests in flight are not disturbed.
     *
     * @param connections in {@code [1, TransportConfig.MAX_CONNECTIONS]}
     */
    void resize(int connections);

    /** @return requests waiting for a connection of the pool now (0 when the transport has no pool) */
    default int pendingConnections() {
        return 0;
    }

    /** Cancels what is in flight (each exchange hears {@link Exchange#failed}) and releases the connections. */
    @Override
    void close();

    /** What a transport tells about one request. Times are {@link System#nanoTime()} readings. */
    interface Exchange {
        /** The request is being written to a connection now. */
        void written(long nanos);

        /** The whole response arrived. */
        void responded(int status, long nanos);

        /**
         * The whole response arrived, and the transport kept its body because the run checks answers
         * ({@link TransportConfig#keepBodyBytes()}).
         *
         * @param body the body's first bytes, at most {@code keepBodyBytes}
         */
        default void responded(int status, byte[] body, long nanos) {
            responded(status, nanos);
        }

        /** The request failed without a response. */
        void failed(Throwable cause, long nanos);
    }
}
