package io.loadgen.server.metrics;

import io.loadgen.server.batching.BatchListener;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.batching.Lane;
import io.loadgen.server.batching.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The server's metrics, in Micrometer with a Prometheus registry: requests by status, rejections by cause, queue
 * depth and queue wait per lane, batch size, model time and request time, and Micrometer's JVM and process binders
 * (memory, GC, threads, class loading, CPU, uptime, file descriptors). {@link #scrape()} is the {@code /metrics} text.
 * {@link #close()} stops the GC listener.
 */
public final class ServerMetrics implements BatchListener, AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Integer, Counter> byStatus = new ConcurrentHashMap<>();
    private final Map<Rejection.Cause, Counter> rejections = new EnumMap<>(Rejection.Cause.class);
    private final Map<Lane, Timer> queueWait = new EnumMap<>(Lane.class);
    private final DistributionSummary batchSize;
    private final Timer modelTime;
    private final Timer requestTime;

    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ServerMetrics() {
        // the JVM and the process, as every Micrometer service shows them (jvm_*, process_*, system_*)
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (Rejection.Cause c : Rejection.Cause.values()) {
            rejections.put(c, Counter.builder("inference_rejections")
                    .description("requests not run, by cause")
                    .tag("cause", c.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        for (Lane l : Lane.values()) {
            queueWait.put(l, Timer.builder("inference_queue_wait")
                    .description("time from arrival in the batcher to the start of the model run")
                    .tag("lane", l.label())
                    .publishPercentiles(0.5, 0.99)
                    .register(registry));
        }
        batchSize = DistributionSummary.builder("inference_batch_size")
                .description("images per model run")
                .register(registry);
        modelTime = Timer.builder("inference_model")
                .description("time of one model run (a whole batch)")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        requestTime = Timer.builder("inference_request")
                .description("time from receiving a classify request to its response")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /** Exposes a batcher's lane depths as gauges. */
    public void watch(DynamicBatcher batcher) {
        for (Lane l : Lane.values()) {
            Gauge.builder("inference_queue_depth", batcher, b -> b.queueDepth(l))
                    .description("requests waiting in the lane")
                    .tag("lane", l.label())
                    .register(registry);
        }
    }

    /** Exposes a readiness flag as a gauge (1 ready, 0 not). */
    public void watchReady(Supplier<Boolean> ready) {
        Gauge.builder("inference_ready", ready, r -> r.get() ? 1 : 0)
                .description("1 when the model is loaded and warmed")
                .register(registry);
    }

    /** Counts a classify response by status and records its time. */
    public void responded(int status, Duration took) {
        byStatus.computeIfAbsent(status, s -> Counter.builder("inference_requests")
                .description("classify requests by HTTP status")
                .tag("status", Integer.toString(s))
                .register(registry)).increment();
        requestTime.record(took);
    }

    @Override
    public void batchRan(int size, Duration inferenceTime) {
        batchSize.record(size);
        modelTime.record(inferenceTime);
    }

    @Override
    public void queued(Lane lane, Duration wait) {
        queueWait.get(lane).record(wait);
    }

    @Override
    public void rejected(Rejection.Cause cause) {
        rejections.get(cause).increment();
    }

    /** @return the Prometheus text exposition */
    public String scrape() {
        return registry.scrape();
    }

    /** Stops listening to GC notifications. */
    @Override
    public void close() {
        gc.close();
    }
}
