package io.loadgen.prometheus;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The load a run puts on its target, as Prometheus metrics, labelled {@code run} and {@code agent}:
 * <ul>
 * <li>counters of requests by what happened to them: {@code loadgen_requests_scheduled_total},
 * {@code loadgen_requests_sent_total}, {@code loadgen_requests_total{outcome=...}} (those that ended: ok, connect,
 * timeout, http_4xx, http_5xx, other, check), {@code loadgen_requests_shed_total} (the 429 and 503 answers, counted
 * in their outcome too), {@code loadgen_requests_dropped_total}, {@code loadgen_requests_unfinished_total};</li>
 * <li>gauges of the load at the end of the last interval: {@code loadgen_target_rate_requests_per_second},
 * {@code loadgen_in_flight_requests}, {@code loadgen_queued_requests}, {@code loadgen_sessions};</li>
 * <li>histograms, in seconds: {@code loadgen_latency_seconds} (from the intended send),
 * {@code loadgen_service_time_seconds} (from the actual send) and {@code loadgen_send_lag_seconds}.</li>
 * </ul>
 * It is fed by the intervals the run publishes, so every figure is one the run's {@code summary.json} counts (its
 * warm-up left out; the gauges follow the warm-up too), never a second count kept on the request path: a request is
 * counted once its interval is sealed, about one interval after it was due, and at the end the counters equal the
 * summary's counts. Histogram buckets are filled from each interval's HdrHistogram (3 significant digits), so a
 * value within 0.1% of a bucket's bound may fall on either side of it.
 *
 * <p>Thread-safe: intervals arrive on the interval clock's thread, scrapes on the exporter's.
 */
public final class LoadMetrics implements IntervalListener, MultiCollector {
    /** The histograms' bucket bounds, in seconds: 100 us to 60 s, about 2.5x apart. */
    static final double[] BUCKETS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Double.POSITIVE_INFINITY};
    /** The outcome label's values, in the order of the counts kept. */
    static final List<String> OUTCOMES = List.of("ok", "connect", "timeout", "http_4xx", "http_5xx", "other", "check");

    private final Labels labels;
    private long scheduled;
    private long sent;
    private long dropped;
    private long unfinished;
    private long shed;
    private final long[] ended = new long[OUTCOMES.size()];
    private final Buckets latency = new Buckets();
    private final Buckets serviceTime = new Buckets();
    private final Buckets sendLag = new Buckets();
    private double targetRate;
    private int inFlight;
    private int queued;
    private int sessions;

    /**
     * @param run the run's name, e.g. its results dir's ({@code run-20261207-101500}); the {@code run} label
     * @param agent the generator's name: {@code local} for a run of one, an agent's id, or {@code all} for a
     *     coordinator's merge of its agents; the {@code agent} label
     */
    public LoadMetrics(String run, String agent) {
        this.labels = Labels.of("agent", agent, "run", run);
    }

    /** Per-bucket counts and the sum of one histogram, added interval by interval. */
    private static final class Buckets {
        final long[] counts = new long[BUCKETS_SECONDS.length];
        double sumSeconds;

        void add(Histogram micros) {
            long total = micros.getTotalCount();
            if (total == 0) {
                return;
            }
            long below = 0;
            for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
                long upTo = i == BUCKETS_SECONDS.length - 1 ? total
                        : micros.getCountBetweenValues(0, (long) Math.floor(BUCKETS_SECONDS[i] * 1e6));
                counts[i] += upTo - below;
                below = upTo;
            }
            sumSeconds += micros.getMean() * total / 1e6;
        }
    }

    @Override
    public synchronized void onInterval(IntervalStats stats, IntervalHistograms histograms) {
        targetRate = stats.targetRate();
        inFlight = stats.inFlight();
        queued = stats.queued();
        sessions = stats.concurrency();
        if (stats.warmup()) {
            return; // as summary.json counts
        }
        Counts c = stats.counts();
        ErrorCounts e = c.errors();
        scheduled += c.scheduled();
        sent += c.sent();
        dropped += c.dropped();
        unfinished += c.unfinished();
        shed += e.shed();
        long[] byOutcome = {c.ok(), e.connect(), e.timeout(), e.http4xx(), e.http5xx(), e.other(), e.check()};
        for (int i = 0; i < byOutcome.length; i++) {
            ended[i] += byOutcome[i];
        }
        latency.add(histograms.latency());
        serviceTime.add(histograms.serviceTime());
        sendLag.add(histograms.sendLag());
    }

    @Override
    public synchronized MetricSnapshots collect() {
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>();
        out.add(counter("loadgen_requests_scheduled", "Requests whose intended send time has come (the offered"
                + " load), counted once every request of their interval has ended", scheduled));
        out.add(counter("loadgen_requests_sent", "Requests handed to the transport", sent));
        CounterSnapshot.Builder byOutcome = CounterSnapshot.builder().name("loadgen_requests")
                .help("Requests that ended, by outcome: ok (status below 400), connect, timeout, http_4xx, http_5xx,"
                        + " other, check (answered, but failed a --check)");
        for (int i = 0; i < OUTCOMES.size(); i++) {
            byOutcome.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(ended[i])
                    .labels(labels.add("outcome", OUTCOMES.get(i))).build());
        }
        out.add(byOutcome.build());
        out.add(counter("loadgen_requests_shed", "Answers 429 and 503, with which the target shed load (counted in"
                + " their outcome too)", shed));
        out.add(counter("loadgen_requests_dropped", "Requests the client never sent (its limits, or still queued when"
                + " the drain ended)", dropped));
        out.add(counter("loadgen_requests_unfinished", "Requests still in flight when the run's drain ended",
                unfinished));
        out.add(gauge("loadgen_target_rate_requests_per_second", "The rate asked for, as the mean over the last"
                + " interval", targetRate));
        out.add(gauge("loadgen_in_flight_requests", "Requests in flight at the end of the last interval", inFlight));
        out.add(gauge("loadgen_queued_requests", "Requests waiting in the client at the end of the last interval",
                queued));
        out.add(gauge("loadgen_sessions", "Closed-loop sessions at the end of the last interval (0: open loop)",
                sessions));
        out.add(histogram("loadgen_latency_seconds", "Latency from the intended send time (so a stalling target"
                + " cannot hide behind a slowed client)", latency));
        out.add(histogram("loadgen_service_time_seconds", "Latency from the actual send", serviceTime));
        out.add(histogram("loadgen_send_lag_seconds", "How late the generator sent each request after its intended"
                + " time", sendLag));
        return new MetricSnapshots(out);
    }

    private CounterSnapshot counter(String name, String help, long value) {
        return CounterSnapshot.builder().name(name).help(help).dataPoint(CounterSnapshot.CounterDataPointSnapshot
                .builder().value(value).labels(labels).build()).build();
    }

    private GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .value(value).labels(labels).build()).build();
    }

    private HistogramSnapshot histogram(String name, String help, Buckets b) {
        return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS)
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BUCKETS_SECONDS, b.counts.clone()))
                        .sum(b.sumSeconds).labels(labels).build())
                .build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of("loadgen_requests_scheduled", "loadgen_requests_sent", "loadgen_requests",
                "loadgen_requests_shed", "loadgen_requests_dropped", "loadgen_requests_unfinished",
                "loadgen_target_rate_requests_per_second", "loadgen_in_flight_requests", "loadgen_queued_requests",
                "loadgen_sessions", "loadgen_latency_seconds", "loadgen_service_time_seconds",
                "loadgen_send_lag_seconds");
    }
}
