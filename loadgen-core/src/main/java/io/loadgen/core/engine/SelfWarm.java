package io.loadgen.core.engine;

import io.loadgen.config.ChronoDurations;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the generator's own request path before a run's first intended send: a run of the same requests against a
 * {@link LoopbackSink} this JVM starts, at {@link #RATE} for {@link #BUDGET}, so that the JIT compiles the scheduler,
 * the dispatcher, the transport and the recorder. The target sees none of it. Once a JVM has warmed, later runs in it
 * skip it.
 *
 * <p>It warms HTTP/1.1 over plain TCP whatever the run's transport: an HTTP/2 or TLS target shares the scheduler, the
 * recorder and most of the client, but its codec is compiled during the run.
 */
final class SelfWarm {
    private static final Logger LOG = LoggerFactory.getLogger(SelfWarm.class);
    /** Requests per second of the self-warm at least; it runs at the run's peak rate up to {@link #MAX_RATE}. */
    static final double RATE = 10_000;
    /** Requests per second of the self-warm at most. */
    static final double MAX_RATE = 40_000;
    /**
     * Bytes of request bodies per second the self-warm sends at most: a large body is warmed at a lower rate (a run
     * of 350 KB bodies at 180/s rather than 10,000/s), so that the warm-up never needs more memory or CPU than the
     * run itself.
     */
    static final long MAX_BODY_BYTES_PER_SECOND = 64L << 20;
    /** Requests per second of the self-warm at least, whatever its bodies weigh. */
    static final double MIN_RATE = 50;
    /** The self-warm's length. */
    static final Duration BUDGET = Duration.ofSeconds(2);
    /** Connections (and the in-flight limit) of the self-warm of a run with a fixed limit. */
    static final int CONNECTIONS = 32;
    private static final AtomicBoolean WARM = new AtomicBoolean();
    private static final AtomicBoolean WARM_LEAN = new AtomicBoolean();

    private SelfWarm() {
    }

    /** @return whether this JVM has warmed the given transport's path already */
    static boolean done(boolean lean) {
        return (lean ? WARM_LEAN : WARM).get();
    }

    /** Marks this JVM warm for a transport (a run long enough to have compiled the path counts too). */
    static void markDone(boolean lean) {
        (lean ? WARM_LEAN : WARM).set(true);
    }

    /**
     * @return the self-warm's rate: the run's peak within [{@link #RATE}, {@link #MAX_RATE}], at most
     *     {@link #MAX_BODY_BYTES_PER_SECOND} of bodies a second, at least {@link #MIN_RATE}
     */
    static double rate(Workload workload, RunPlan plan) {
        double rate = Math.max(RATE, Math.min(MAX_RATE, plan.isClosedLoop() ? RATE : plan.profile().peakRate()));
        long bytes = workload.meanBodyBytes();
        return bytes == 0 ? rate : Math.max(MIN_RATE, Math.min(rate, (double) MAX_BODY_BYTES_PER_SECOND / bytes));
    }

    /**
     * Runs the self-warm, unless this JVM is warm already. It is shaped like the run (its arrival process, its peak
     * rate within [{@link #RATE}, {@link #MAX_RATE}], its recording interval, an auto in-flight limit when the run
     * has one), so that the code the JIT compiles is the code the run takes, not code it throws away at the start.
     *
     * @param workload the run's requests
     * @param transport the run's transport settings (timeouts are kept; HTTP/1.1 is used)
     * @param engine the run's engine settings
     * @param plan the run's plan
     * @param lean whether the run uses the lean transport (the self-warm warms the same one)
     * @param stopRequested polled: a stop ends the self-warm at once
     * @return what it did, in words
     */
    static String run(Workload workload, TransportConfig transport, EngineConfig engine, RunPlan plan, boolean lean,
            BooleanSupplier stopRequested) {
        AtomicBoolean warmed = lean ? WARM_LEAN : WARM;
        if (warmed.get()) {
            return "skipped: this JVM has warmed already";
        }
        long t0 = System.nanoTime();
        try (LoopbackSink sink = LoopbackSink.start()) {
            Workload warm = workload.withTarget(sink.uri(workload.target()));
            // HttpClient 5's pool follows an auto limit at once, and a cold JVM stalls: a fixed pool there. The lean
            // pool paces its connects, so it warms the auto limit's code as the run will use it.
            boolean auto = lean && engine.maxInFlight() == 0 && transport.connections() == 0 && !plan.isClosedLoop();
            TransportConfig.Builder t = transport.toBuilder().httpVersion(TransportConfig.HttpVersion.HTTP_1_1)
                    .kind(lean ? TransportConfig.Kind.LEAN : TransportConfig.Kind.HTTPCLIENT).pipelining(1);
            EngineConfig.Builder e = EngineConfig.custom().warmup(Warmup.NONE).recordInterval(engine.recordInterval())
                    .drainTimeout(Duration.ofSeconds(2));
            if (!auto) {
                t.connections(CONNECTIONS);
                e.maxInFlight(CONNECTIONS);
            }
            double rate = rate(workload, plan);
            Run r = new Run(warm, t.build(), e.build(), new RunPlan(new ConstantRate(rate),
                    plan.isClosedLoop() ? Arrival.CONSTANT : plan.arrival(), plan.seed(), BUDGET), List.of());
            while (!r.await(Duration.ofMillis(50))) {
                if (stopRequested.getAsBoolean()) {
                    r.requestStop("stopped");
                }
            }
            RunSummary s = r.summary();
            warmed.set(true);
            String text = String.format(Locale.ROOT, "%d requests to a loopback sink in %s (the target saw none)",
                    s.counts().completed(), ChronoDurations.format(Duration.ofNanos(System.nanoTime() - t0)));
            LOG.info("self-warm: {}", text);
            return text;
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("self-warm failed; the run goes on without it", e);
            return "failed: " + e;
        }
    }
}
