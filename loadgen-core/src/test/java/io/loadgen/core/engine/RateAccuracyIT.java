package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.LoopbackServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The generator holds a constant 2000 requests/s against a real loopback server. */
class RateAccuracyIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void holdsTwoThousandPerSecondForTenSecondsWithinOnePercent(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/rate")).build())
                    .transport(TransportConfig.custom().kind(kind).build())
                    .plan(new RunPlan(new ConstantRate(2000), Arrival.CONSTANT, 1, Duration.ofSeconds(10)))
                    .listener((s, h) -> intervals.add(s))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(40)), "run did not end");
            RunSummary s = gen.summary();

            assertEquals("completed", s.state());
            assertEquals(10.0, ChronoDurations.seconds(s.duration()), 0.01);
            // Constant arrivals at k/2000 s for t < 10 s: exactly 20,000 are due.
            assertEquals(20_000, s.counts().scheduled(), 2);
            assertEquals(0, s.counts().dropped());
            assertEquals(0, s.counts().errors().total(), () -> "errors: " + s.counts().errors());
            assertEquals(2000, s.achievedRate(), 20, "achieved rate within 1% of 2000/s");
            assertEquals(s.counts().completed(), server.count(), "the server saw every completed request");
            // Every full interval in the middle of the run holds the rate too, not only the total.
            for (IntervalStats i : intervals.subList(1, intervals.size() - 2)) {
                assertEquals(2000, i.offeredRate(), 40, "offered in interval " + i.index());
                assertEquals(2000, i.achievedRate(), 60, "achieved in interval " + i.index());
            }
            assertTrue(ChronoDurations.millis(s.sendLag().p99()) < 5,
                    "p99 send lag " + s.sendLag().p99() + " should be well under 5 ms at 2000/s");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void theWarmupIsShownButLeftOutOfTheSummary(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/warm")).build())
                    .transport(TransportConfig.custom().kind(kind).build())
                    .engine(EngineConfig.custom().warmup(Warmup.atTarget(Duration.ofMillis(1500))).build())
                    .plan(new RunPlan(new ConstantRate(500), Arrival.CONSTANT, 1, Duration.ofSeconds(4)))
                    .listener((s, h) -> intervals.add(s))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(30)));
            RunSummary s = gen.summary();
            // Intervals of 1 s: those starting at 0 s and 1 s are warm-up; the summary covers 2 s .. 4 s.
            assertEquals(2.0, ChronoDurations.seconds(s.warmup()), 0.02);
            assertEquals(2.0, ChronoDurations.seconds(s.duration()), 0.02);
            assertEquals(1000, s.counts().scheduled(), 3);
            assertEquals(500, s.offeredRate(), 5);
            long all = intervals.stream().mapToLong(i -> i.counts().scheduled()).sum();
            assertEquals(2000, all, 3, "every interval, warm-up included, was reported live");
        }
    }
}
