package io.loadgen.cli;

import io.loadgen.config.Settings;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.prometheus.LoadMetrics;
import io.loadgen.prometheus.MetricsEndpoint;
import io.loadgen.prometheus.MetricsSettings;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Consumer;

/** Serves a run's metrics to Prometheus when {@code --metrics-port} is given, and says where. */
final class PrometheusEndpoint {
    private PrometheusEndpoint() {
    }

    /**
     * @param cfg the settings ({@code metricsPort}, {@code metricsBind})
     * @param run the {@code run} label
     * @param agent the {@code agent} label: {@code local}, an agent's id, or {@code all} (a coordinator's merge)
     * @param listen attaches the metrics to the run's intervals
     * @param out where to say where they are served
     * @return the endpoint, to close at the end; empty without {@code --metrics-port}
     * @throws IOException if the address cannot be bound
     */
    static Optional<MetricsEndpoint> serve(Settings cfg, String run, String agent, Consumer<IntervalListener> listen,
            PrintWriter out) throws IOException {
        if (cfg.get(MetricsSettings.METRICS_PORT).isEmpty()) {
            return Optional.empty();
        }
        LoadMetrics metrics = new LoadMetrics(run, agent);
        listen.accept(metrics);
        return Optional.of(serve(cfg, metrics, out));
    }

    /**
     * Keeps a run's endpoint up for {@code metricsLinger} after the run, so that a scrape sees its final figures, then
     * closes it.
     */
    static void closeAfterLinger(Optional<MetricsEndpoint> endpoint, Settings cfg, PrintWriter out) {
        if (endpoint.isEmpty()) {
            return;
        }
        java.time.Duration linger = cfg.get(MetricsSettings.METRICS_LINGER);
        try {
            if (!linger.isZero()) {
                out.printf("metrics: the final figures stay at %s for %s (--metrics-linger)%n", endpoint.get().uri(),
                        io.loadgen.config.ChronoDurations.format(linger));
                out.flush();
                Thread.sleep(linger.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            endpoint.get().close();
        }
    }

    /** Serves {@code metrics} on {@code metricsPort} (which must be set) and says where. */
    static MetricsEndpoint serve(Settings cfg, MultiCollector metrics, PrintWriter out) throws IOException {
        MetricsEndpoint e = MetricsEndpoint.start(InetAddress.getByName(cfg.get(MetricsSettings.METRICS_BIND)),
                cfg.get(MetricsSettings.METRICS_PORT).orElseThrow(), metrics);
        out.println("metrics: " + e.uri() + " (Prometheus)");
        out.flush();
        return e;
    }
}
