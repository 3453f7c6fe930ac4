package io.loadgen.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The transport on Apache HttpClient 5's async client: an HTTP/1.1 connection pool, or HTTP/2 streams multiplexed
 * over one connection per target (h2c prior knowledge on http://). No retries, no redirects, no cookies: each
 * scheduled request is exactly one exchange. The response body is read and discarded.
 *
 * <p>The write time ({@link Transport.Exchange#written}) is taken by an exec interceptor just before the client's
 * main transport stage, that is once the request has a connection (for HTTP/1.1, after the pool lease and the
 * connect): service time then excludes the client's own waits and the connect, as a closed-loop tool measures it.
 *
 * <p>The HTTP/1.1 pool grows as {@link ConnectPacing} allows: {@link #resize} to a larger size raises the pool's
 * maximum by at most {@link ConnectPacing#BURST} at once and {@link ConnectPacing#PER_MILLI} a millisecond after that
 * (a daemon thread finishes the raise); a smaller size applies at once.
 *
 * <p>Threading: every method may be called from any thread.
 */
public final class HttpClientTransport implements Transport {
    private static final String EXCHANGE = "io.loadgen.exchange";
    private static final String WRITTEN = "loadgen-written-time";
    private static final long SELECT_INTERVAL_MS = 50;

    private final CloseableHttpAsyncClient client;
    private final PoolingAsyncClientConnectionManager pool;
    private final java.util.concurrent.ScheduledExecutorService pacer;
    /** The pool's maximum now, and the one asked for (guarded by this). */
    private int granted;
    private int wanted;
    private final int keepBodyBytes;
    private final ConnectPacing pacing = new ConnectPacing(System.nanoTime());
    private java.util.concurrent.ScheduledFuture<?> raising;

    /**
     * Starts the client.
     *
     * @param config the settings
     * @param connections the initial pool size (HTTP/1.1), {@code >= 1}
     * @param threads makes the I/O reactor's threads
     */
    public HttpClientTransport(TransportConfig config, int connections, java.util.concurrent.ThreadFactory threads) {
        this.keepBodyBytes = config.keepBodyBytes();
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        IOReactorConfig io = IOReactorConfig.custom()
                .setIoThreadCount(config.ioThreads())
                .setTcpNoDelay(true)
                .setSoKeepAlive(true)
                // Timeouts are checked once per select interval (1 s by default): check often, so that a request
                // times out close to its timeout rather than up to a second late.
                .setSelectInterval(org.apache.hc.core5.util.TimeValue.ofMilliseconds(SELECT_INTERVAL_MS))
                .build();
        RequestConfig requestConfig = RequestConfig.custom()
                .setResponseTimeout(response)
                // Pool waits are bounded by the in-flight limit; the response timeout bounds them in time too.
                .setConnectionRequestTimeout(response)
                .build();
        ConnectionConfig connectionConfig = ConnectionConfig.custom()
                .setConnectTimeout(connect)
                .setSocketTimeout(response)
                .build();
        this.granted = connections;
        this.wanted = connections;
        if (config.httpVersion() == TransportConfig.HttpVersion.HTTP_2) {
            this.pool = null;
            this.pacer = null;
            this.client = HttpAsyncClients.customHttp2()
                    .addExecInterceptorBefore(ChainElement.MAIN_TRANSPORT.name(), WRITTEN,
                            HttpClientTransport::noteWritten)
                    .setThreadFactory(threads)
                    .setIOReactorConfig(io)
                    .setIoReactorExceptionCallback(HttpClientTransport::reactorFailed)
                    .setH2Config(H2Config.custom().setPushEnabled(false).build())
                    .setDefaultRequestConfig(requestConfig)
                    .setDefaultConnectionConfig(connectionConfig)
                    .disableAutomaticRetries()
                    .disableRedirectHandling()
                    .disableCookieManagement()
                    .build();
        } else {
            this.pool = PoolingAsyncClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(connections)
                    .setMaxConnPerRoute(connections)
                    .setDefaultConnectionConfig(connectionConfig)
                    .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                    .build();
            this.pacer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "loadgen-pool-pacer");
                t.setDaemon(true);
                return t;
            });
            this.client = HttpAsyncClients.custom()
                    .setConnectionManager(pool)
                    .addExecInterceptorBefore(ChainElement.MAIN_TRANSPORT.name(), WRITTEN,
                            HttpClientTransport::noteWritten)
                    .setThreadFactory(threads)
                    .setIOReactorConfig(io)
                    .setIoReactorExceptionCallback(HttpClientTransport::reactorFailed)
                    .setDefaultRequestConfig(requestConfig)
                    .disableAutomaticRetries()
                    .disableRedirectHandling()
                    .disableCookieManagement()
                    .disableAuthCaching()
                    .build();
        }
        client.start();
    }

    /** The exec interceptor: the request has its connection and is about to be written. */
    private static void noteWritten(org.apache.hc.core5.http.HttpRequest request, AsyncEntityProducer entity,
            AsyncExecChain.Scope scope, AsyncExecChain chain, AsyncExecCallback callback)
            throws HttpException, IOException {
        if (scope.clientContext.getAttribute(EXCHANGE) instanceof Exchange e) {
            e.written(System.nanoTime());
        }
        chain.proceed(request, entity, scope, callback);
    }

    /** HttpCore reports races of its own shutdown (a closed selector) here: worth a debug line, not an error. */
    private static void reactorFailed(Exception e) {
        org.slf4j.LoggerFactory.getLogger(HttpClientTransport.class).debug("I/O reactor: {}", e.toString(), e);
    }

    @Override
    public void send(Request request, Exchange exchange) {
        AsyncEntityProducer entity = request.body() == null ? null
                : AsyncEntityProducers.create(request.body().toArray(),
                        request.contentType() == null ? ContentType.APPLICATION_OCTET_STREAM
                                : ContentType.parse(request.contentType()));
        BasicRequestProducer basic = new BasicRequestProducer(request.method(), request.uri(), entity);
        AsyncRequestProducer producer = new HeaderProducer(basic, request);
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(EXCHANGE, exchange);
        try {
            StatusConsumer consumer = new StatusConsumer(keepBodyBytes);
            client.execute(producer, consumer, context, new FutureCallback<Integer>() {
                @Override
                public void completed(Integer status) {
                    byte[] body = consumer.body();
                    if (body == null) {
                        exchange.responded(status, System.nanoTime());
                    } else {
                        exchange.responded(status, body, System.nanoTime());
                    }
                }

                @Override
                public void failed(Exception ex) {
                    exchange.failed(ex, System.nanoTime());
                }

                @Override
                public void cancelled() {
                    exchange.failed(new java.util.concurrent.CancellationException("cancelled"), System.nanoTime());
                }
            });
        } catch (RuntimeException e) {
            // e.g. the client was shut down between the scheduler's check and this call
            exchange.failed(e, System.nanoTime());
        }
    }

    @Override
    public synchronized void resize(int connections) {
        if (pool == null) {
            return;
        }
        wanted = connections;
        if (connections <= granted) {
            granted = connections;
            apply(connections);
        } else {
            raise();
        }
    }

    /** Raises the pool's maximum towards the one asked for, as far as the pacing allows; comes back for the rest. */
    private synchronized void raise() {
        int step = pacing.take(wanted - granted, System.nanoTime());
        if (step > 0) {
            granted += step;
            apply(granted);
        }
        if (granted < wanted && raising == null && !pacer.isShutdown()) {
            try {
                raising = pacer.schedule(this::raiseLater, 1, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile
            }
        }
    }

    private synchronized void raiseLater() {
        raising = null;
        raise();
    }

    private void apply(int max) {
        pool.setMaxTotal(max);
        pool.setDefaultMaxPerRoute(max);
    }

    /** @return the pool's maximum now (HTTP/1.1), which follows {@link #resize} as the pacing allows */
    synchronized int poolMax() {
        return granted;
    }

    @Override
    public int pendingConnections() {
        return pool == null ? 0 : pool.getTotalStats().getPending();
    }

    @Override
    public void close() {
        if (pacer != null) {
            pacer.shutdownNow();
        }
        // Graceful: sessions are closed in order (requests still in flight fail as cancelled); IMMEDIATE makes the
        // reactor log a ClosedSelectorException.
        client.close(CloseMode.GRACEFUL);
        try {
            client.awaitShutdown(org.apache.hc.core5.util.TimeValue.of(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds the workload's headers to the request head, and delegates the rest. */
    private static final class HeaderProducer implements AsyncRequestProducer {
        private final BasicRequestProducer delegate;
        private final Request request;

        HeaderProducer(BasicRequestProducer delegate, Request request) {
            this.delegate = delegate;
            this.request = request;
        }

        @Override
        public void sendRequest(RequestChannel channel, HttpContext context) throws HttpException, IOException {
            delegate.sendRequest((req, entityDetails, ctx) -> {
                for (Request.Header h : request.headers()) {
                    req.addHeader(h.name(), h.value());
                }
                channel.sendRequest(req, entityDetails, ctx);
            }, context);
        }

        @Override
        public boolean isRepeatable() {
            return delegate.isRepeatable();
        }

        @Override
        public void failed(Exception cause) {
            delegate.failed(cause);
        }

        @Override
        public int available() {
            return delegate.available();
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            delegate.produce(channel);
        }

        @Override
        public void releaseResources() {
            delegate.releaseResources();
        }
    }

    /** Reads the status, and keeps the first {@code keep} bytes of the body (none when 0) and discards the rest. */
    private static final class StatusConsumer extends AbstractBinResponseConsumer<Integer> {
        private final int keep;
        private java.io.ByteArrayOutputStream kept;
        private int status;

        StatusConsumer(int keep) {
            this.keep = keep;
        }

        /** @return the kept body, or null when bodies are discarded */
        byte[] body() {
            return keep == 0 ? null : kept == null ? new byte[0] : kept.toByteArray();
        }

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
            status = response.getCode();
        }

        @Override
        protected Integer buildResult() {
            return status;
        }

        @Override
        protected int capacityIncrement() {
            return 64 * 1024;
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) {
            if (keep > 0) {
                if (kept == null) {
                    kept = new java.io.ByteArrayOutputStream(Math.min(keep, 4096));
                }
                byte[] chunk = new byte[Math.min(src.remaining(), keep - kept.size())];
                src.get(chunk); // the rest is skipped below
                kept.writeBytes(chunk);
            }
            src.position(src.limit());
        }

        @Override
        public void releaseResources() {
        }
    }
}
