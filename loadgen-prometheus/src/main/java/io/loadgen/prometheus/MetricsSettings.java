package io.loadgen.prometheus;

import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import java.util.Optional;

/** The settings of the Prometheus endpoint, each declared once: key, type, range, default, doc and flag. */
public final class MetricsSettings {
    /** Where Prometheus scrapes the run; empty: no endpoint. */
    public static final Setting<Optional<Integer>> METRICS_PORT = Setting.custom("metricsPort",
            v -> v.isBlank() ? Optional.<Integer>empty() : Optional.of(Integer.parseInt(v)),
            (Optional<Integer> o) -> o.map(String::valueOf).orElse(""),
            "empty (no endpoint), or a port in [0, 65535] (0 picks a free one)")
            .valid(o -> o.map(p -> p >= 0 && p <= 65535).orElse(true),
                    "empty (no endpoint), or a port in [0, 65535] (0 picks a free one)")
            .defaultValue(Optional.empty()).flags("--metrics-port").label("P")
            .doc("Port of a Prometheus endpoint (GET /metrics) with the run's live figures: requests by outcome,"
                    + " the target rate, in flight, latency, service time and send lag as histograms, and the JVM's"
                    + " own; served by `loadgen run` (a coordinator's: its agents merged) and `loadgen agent`. Empty:"
                    + " none.")
            .build();
    /** The address the endpoint listens on. */
    public static final Setting<String> METRICS_BIND = Setting.text("metricsBind").valid(h -> !h.isBlank(),
            "a host name or IP address").defaultValue("127.0.0.1").flags("--metrics-bind").label("ADDR")
            .doc("Address the Prometheus endpoint listens on (0.0.0.0 for a scraper on another machine).").build();
    /** How long a run's endpoint stays up after the run, so that Prometheus scrapes its final figures. */
    public static final Setting<java.time.Duration> METRICS_LINGER = Setting.duration("metricsLinger", "s",
            java.time.Duration.ZERO, java.time.Duration.ofHours(1)).defaultValue(java.time.Duration.ofSeconds(15))
            .flags("--metrics-linger").label("DUR")
            .doc("How long `loadgen run` keeps its Prometheus endpoint up after the run has ended, so that a scrape"
                    + " sees its final figures (a scrape interval; Ctrl-C does not wait).").build();
    /** The run's name in the metrics. */
    public static final Setting<Optional<String>> RUN_NAME = Setting.optionalText("runName")
            .defaultValue(Optional.empty()).flags("--run-name").label("NAME")
            .doc("The run's name in its metrics (their `run` label); empty: its results dir's name. A coordinator"
                    + " gives its own to its agents.")
            .build();

    /** The metrics' group. */
    public static final SettingGroup GROUP = SettingGroup.of("metrics", "Prometheus metrics", METRICS_PORT,
            METRICS_BIND, METRICS_LINGER, RUN_NAME);

    private MetricsSettings() {
    }
}
