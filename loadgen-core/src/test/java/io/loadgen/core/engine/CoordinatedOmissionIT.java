package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.LoopbackServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stall test: a server that freezes for 1 s every 5 s, driven at a constant rate. A fifth of the requests
 * arrive during a freeze and wait for its end, uniformly between 0 and 1 s, so the true distribution is
 * {@code P(latency > x) = 0.2 * (1 - x / 1 s)}: p90 = 500 ms and p99 = 950 ms. Latency from the intended send time
 * must show exactly that; service time (from the actual send, what a closed-loop tool reports) hides it, because
 * the requests held back in the client during a freeze are sent after it and served quickly.
 */
class CoordinatedOmissionIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void latencyFromIntendedTimeMatchesTheAnalyticDistributionOfAStallingServer(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(r -> 200, false)) {
            server.behaviour(LoopbackServer.stalling(server.startNanos(), Duration.ofSeconds(5), Duration.ofSeconds(1)));
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/stall")).build())
                    .transport(TransportConfig.custom().kind(kind).connections(2).build())
                    .engine(EngineConfig.custom().maxInFlight(2).overflow(EngineConfig.Overflow.QUEUE).build())
                    .plan(new RunPlan(new ConstantRate(200), Arrival.CONSTANT, 1, Duration.ofSeconds(20)))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(60)), "run did not end");
            RunSummary s = gen.summary();

            System.out.printf("stall test: latency p50 %.1f p90 %.1f p99 %.1f max %.1f ms; service p99 %.1f max %.1f ms%n",
                    ChronoDurations.millis(s.latency().p50()), ChronoDurations.millis(s.latency().p90()),
                    ChronoDurations.millis(s.latency().p99()), ChronoDurations.millis(s.latency().max()),
                    ChronoDurations.millis(s.serviceTime().p99()), ChronoDurations.millis(s.serviceTime().max()));
            assertEquals(4000, s.counts().scheduled(), 2);
            assertEquals(s.counts().scheduled(), s.counts().ok(), "every request answered");
            double p50 = ChronoDurations.millis(s.latency().p50());
            double p90 = ChronoDurations.millis(s.latency().p90());
            double p99 = ChronoDurations.millis(s.latency().p99());
            double max = ChronoDurations.millis(s.latency().max());
            assertTrue(p50 < 20, "p50 " + p50 + " ms: 80% of requests meet no freeze");
            assertEquals(500, p90, 50, "p90 from intended send time");
            assertEquals(950, p99, 30, "p99 from intended send time");
            assertTrue(max >= 980 && max < 1100, "max " + max + " ms: a request sent as a freeze begins waits 1 s");

            double serviceP99 = ChronoDurations.millis(s.serviceTime().p99());
            double serviceMax = ChronoDurations.millis(s.serviceTime().max());
            assertTrue(serviceP99 < 50, "service time p99 " + serviceP99 + " ms hides the freezes");
            assertTrue(serviceMax > 900, "but the requests caught in a freeze show it in service time max "
                    + serviceMax + " ms");
        }
    }
}
