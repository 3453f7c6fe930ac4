package io.loadgen.prometheus;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;

/**
 * An HTTP endpoint Prometheus scrapes: {@code GET /metrics} in Prometheus' text format (or OpenMetrics, as the scraper
 * asks), with a run's {@link LoadMetrics} and the generator JVM's own (memory, GC, threads, CPU: Prometheus' JVM
 * instrumentation). Prometheus' own HTTP server (on the JDK's {@code com.sun.net.httpserver}), on its own threads:
 * a scrape never touches the request path.
 *
 * <p>Thread-safe; {@link #close()} stops it.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final String host;

    private MetricsEndpoint(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Starts the endpoint.
     *
     * @param bind the address to listen on (loopback unless the scraper is on another machine)
     * @param port the port, 0-65535; 0 picks a free one
     * @param metrics what to serve: a run's {@link LoadMetrics}, or an agent's {@link CurrentRunMetrics}
     * @return the running endpoint
     * @throws IOException if the address cannot be bound (the message names it)
     */
    public static MetricsEndpoint start(InetAddress bind, int port, MultiCollector metrics) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        JvmMetrics.builder().register(registry);
        try {
            return new MetricsEndpoint(HTTPServer.builder().inetAddress(bind).port(port).registry(registry)
                    .buildAndStart(), bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress());
        } catch (IOException e) {
            throw new IOException("the metrics endpoint cannot listen on " + bind.getHostAddress() + ":" + port + " ("
                    + e.getMessage() + "): give another --metrics-port", e);
        }
    }

    /** @return the port it listens on */
    public int port() {
        return server.getPort();
    }

    /** @return where to scrape it, e.g. {@code http://127.0.0.1:9464/metrics} */
    public URI uri() {
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/metrics");
    }

    @Override
    public void close() {
        server.close();
    }
}
