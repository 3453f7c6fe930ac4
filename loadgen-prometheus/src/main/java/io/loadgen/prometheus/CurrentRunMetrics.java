package io.loadgen.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The metrics of a long-lived generator that runs one run after another (an agent): those of its current run, or of
 * its last one until the next begins, each under its own {@code run} label.
 *
 * <p>Thread-safe.
 */
public final class CurrentRunMetrics implements MultiCollector {
    private final String agent;
    private volatile LoadMetrics current;

    /** @param agent the {@code agent} label of every run */
    public CurrentRunMetrics(String agent) {
        this.agent = agent;
    }

    /**
     * @param run the new run's name
     * @return its metrics, to hear its intervals; from now on they are the ones served
     */
    public LoadMetrics begin(String run) {
        LoadMetrics m = new LoadMetrics(run, agent);
        current = m;
        return m;
    }

    @Override
    public MetricSnapshots collect() {
        LoadMetrics m = current;
        return m == null ? new MetricSnapshots() : m.collect();
    }
}
