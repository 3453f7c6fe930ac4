package io.loadgen.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.http.Routes;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.metrics.ServerMetrics;
import io.loadgen.server.model.Model;
import io.loadgen.server.model.ModelInfo;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundled image-classification server. {@link #start} binds the HTTP port at once and loads the model on a
 * background thread; {@code /health/ready} answers 503 until every worker's model instance is loaded and warmed.
 * {@link #close()} drains: it stops accepting, lets accepted requests finish (bounded by the drain timeout), then
 * stops HTTP.
 */
public final class InferenceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceServer.class);

    private final ServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Routes routes;
    private final io.loadgen.server.http.KServeRoutes kserve;
    private final Javalin app;
    private final List<Model> models = new ArrayList<>();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final Thread loader;
    private volatile DynamicBatcher batcher;
    private volatile ImageDecoder decoder;
    private volatile String loadFailure;
    private volatile boolean closed;

    private InferenceServer(ServerConfig config, ModelFactory factory) {
        this.config = config;
        this.routes = new Routes(new ObjectMapper(), config, metrics);
        String version = InferenceServer.class.getPackage().getImplementationVersion();
        this.kserve = new io.loadgen.server.http.KServeRoutes(new ObjectMapper(), routes,
                version != null ? version : "dev");
        metrics.watchReady(routes::ready);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.jetty.multipartConfig.maxTotalRequestSize(config.maxBodyBytes(), io.javalin.config.SizeUnit.BYTES);
            c.jetty.multipartConfig.maxFileSize(config.maxBodyBytes(), io.javalin.config.SizeUnit.BYTES);
            c.jetty.multipartConfig.maxInMemoryFileSize((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()),
                    io.javalin.config.SizeUnit.BYTES);
            // Jetty's form-key limit (1,000 by default) is also its limit of multipart parts: one limit with
            // maxItemsPerRequest instead, whose excess ClassifyRoute answers with 413 too_many_items
            c.jetty.modifyServletContextHandler(h -> h.setMaxFormKeys(config.maxMultipartParts()));
            QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), 8);
            pool.setName("http");
            c.jetty.threadPool = pool;
            c.jetty.addConnector((server, httpConfig) -> {
                httpConfig.setSendServerVersion(false);
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                connector.setHost(config.host());
                connector.setPort(config.port());
                connector.setAcceptQueueSize(config.acceptQueue());
                return connector;
            });
            routes.register(c.routes);
            kserve.register(c.routes);
        });
        this.loader = new Thread(() -> load(factory), "model-loader");
        this.loader.setDaemon(true);
    }

    /**
     * Starts the server: HTTP now, the model in the background.
     *
     * @param config the settings
     * @param factory opens one model instance per batcher worker; the first instance's
     *     {@link Model#thresholds()} filter the predictions returned
     * @return the running server
     * @throws java.io.UncheckedIOException wrapping a {@link java.net.BindException} when the address cannot be
     *     bound (the port is in use, or the address is not this host's), naming the address
     */
    public static InferenceServer start(ServerConfig config, ModelFactory factory) {
        InferenceServer s = new InferenceServer(config, factory);
        try {
            s.app.start();
        } catch (io.javalin.util.JavalinBindException e) {
            java.net.BindException bind = new java.net.BindException(config.host() + ":" + config.port()
                    + " cannot be bound (" + e.getMessage() + "): give another port with --port (0 picks a free one)");
            bind.initCause(e);
            throw new java.io.UncheckedIOException(bind.getMessage(), bind);
        }
        s.loader.start();
        LOG.info("listening on {} (model loading)", s.baseUri());
        return s;
    }

    private void load(ModelFactory factory) {
        long t0 = System.nanoTime();
        try {
            BatcherConfig bc = config.batcher();
            for (int i = 0; i < bc.workers() && !closed; i++) {
                models.add(factory.open(bc.maxBatch()));
            }
            if (closed) {
                return;
            }
            ModelInfo info = models.get(0).info();
            DynamicBatcher b = new DynamicBatcher(bc, models, metrics);
            metrics.watch(b);
            batcher = b;
            kserve.platform(models.get(0) instanceof io.loadgen.server.model.TensorFlowModel
                    ? "tensorflow_savedmodel" : models.get(0).getClass().getSimpleName());
            decoder = ImageDecoder.create(config.imageDecoder(), info.preprocessing(), config.maxPixels());
            routes.ready(info, models.get(0).thresholds(), decoder, b);
            LOG.info("model {} ready on {} after {} ms: {} workers, {}", info.name(), info.device(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), bc.workers(), bc);
        } catch (Exception | LinkageError e) {
            // e.g. a bad SavedModel, or TensorFlow's native library missing (UnsatisfiedLinkError): the server stays
            // up, not ready, and says why
            loadFailure = e.toString();
            routes.failed(loadFailure);
            LOG.error("the model could not be loaded; the server stays not ready", e);
        } catch (Error e) {
            // anything else (out of memory...) is not carried on from: recorded, then it ends this thread
            loadFailure = e.toString();
            routes.failed(loadFailure);
            throw e;
        } finally {
            loaded.countDown();
        }
    }

    /** @return the bound port */
    public int port() {
        return app.port();
    }

    /** @return {@code http://host:port} */
    public URI baseUri() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + h + ":" + port());
    }

    /** @return whether the model is loaded and the server accepts classify requests */
    public boolean ready() {
        return routes.ready();
    }

    /** @return the model's description, or {@code null} before it is loaded */
    public ModelInfo modelInfo() {
        return routes.modelInfo();
    }

    /** @return the metrics */
    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * Waits until the model is loaded (or failed to load).
     *
     * @return whether the server is ready
     * @throws IllegalStateException with the cause when the model failed to load
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        loaded.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (loadFailure != null) {
            throw new IllegalStateException("the model failed to load: " + loadFailure);
        }
        return ready();
    }

    /**
     * Drains and stops: new classify requests get 503, accepted ones finish (up to the drain timeout) and are
     * answered, then HTTP stops and the models are closed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        routes.draining();
        DynamicBatcher b = batcher;
        // Requests admitted before draining() submit their images before the batcher stops accepting: none of them
        // is refused with a 503 because it was still being decoded.
        routes.awaitAdmitted(config.drainTimeout());
        boolean clean = b == null || b.drain(config.drainTimeout().minusNanos(System.nanoTime() - t0));
        // Accepted requests are answered once their futures complete: wait for those responses to be written.
        routes.awaitIdle(config.drainTimeout().minusNanos(System.nanoTime() - t0).plusSeconds(1));
        app.stop();
        routes.close();
        ImageDecoder d = decoder;
        if (d != null) {
            d.close();
        }
        try {
            loader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Model m : models) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a model failed", e);
            }
        }
        metrics.close();
        LOG.info("stopped after draining {} in {} ms", clean ? "everything" : "until the timeout",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

}
