package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.control.RunState;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.StepRate;
import io.loadgen.core.testing.LoopbackServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rate changes take effect at once while a run goes on. */
class LiveRateChangeIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void aRateChangeShowsInTheNextFullInterval(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/change")).build())
                    .transport(TransportConfig.custom().kind(kind).build())
                    .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(500)).build())
                    .plan(new RunPlan(new ConstantRate(200), Arrival.CONSTANT, 1, null))
                    .listener((s, h) -> intervals.add(s))
                    .build();
            gen.start();
            waitFor(() -> intervals.size() >= 3, Duration.ofSeconds(20));
            int changedAfter = intervals.size();
            gen.setRate(1000);
            assertEquals(1000, gen.currentRate(), 1e-9);
            waitFor(() -> intervals.size() >= changedAfter + 3, Duration.ofSeconds(20));
            gen.stop();
            assertEquals(RunState.ENDED, gen.status().state());

            IntervalStats before = intervals.get(changedAfter - 1);
            // The interval in which the change fell is mixed; the next one is entirely at the new rate.
            IntervalStats firstFull = intervals.get(changedAfter + 1);
            assertEquals(200, before.offeredRate(), 10);
            assertEquals(1000, firstFull.offeredRate(), 30, "offered rate in the first full interval after the change");
            assertEquals(1000, firstFull.targetRate(), 1e-9);
            assertEquals("stopped", gen.summary().state());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void aLongGapAtALowRateIsReplannedNotSleptOut(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(r -> 200, true)) {
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/slow")).build())
                    .transport(TransportConfig.custom().kind(kind).build())
                    .plan(new RunPlan(new ConstantRate(0.1), Arrival.CONSTANT, 1, Duration.ofSeconds(30)))
                    .build();
            gen.start();
            // Constant arrivals send the first request at the start, then one every 10 s.
            waitFor(() -> server.count() == 1, Duration.ofSeconds(5));
            TimeUnit.MILLISECONDS.sleep(500);
            long changedAt = System.nanoTime();
            gen.setRate(100);
            waitFor(() -> server.count() >= 2, Duration.ofSeconds(5));
            long secondAt = server.received().get(1).nanos();
            gen.stop();
            double waitedMs = (secondAt - changedAt) / 1e6;
            // 0.05 of the unit gap was spent at 0.1/s; the remaining 0.95 at 100/s takes 9.5 ms.
            assertTrue(waitedMs < 100, "second request came " + waitedMs + " ms after the change, not ~9.5 s later");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void aStepProfileChangesRateAtItsBoundaries(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            StepRate steps = new StepRate(List.of(new StepRate.Step(100, Duration.ofSeconds(2)),
                    new StepRate.Step(400, Duration.ofSeconds(2))));
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/steps")).build())
                    .transport(TransportConfig.custom().kind(kind).build())
                    .plan(new RunPlan(steps, Arrival.CONSTANT, 1, null))
                    .listener((s, h) -> intervals.add(s))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(20)));
            assertEquals(4.0, gen.summary().duration().toMillis() / 1000.0, 0.01, "the profile's length bounds the run");
            assertEquals(100 * 2 + 400 * 2, gen.summary().counts().scheduled(), 2);
            assertEquals(100, intervals.get(1).offeredRate(), 5);
            assertEquals(400, intervals.get(3).offeredRate(), 12);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    @Test
    void eachIntervalsTargetRateIsWhatWasAskedForOverItNotWhenItWasSealed() throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(server.uri("/targets")).build())
                    .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(500)).warmup(Warmup.NONE).build())
                    .plan(new RunPlan(io.loadgen.core.schedule.RateProfiles.parse("steps:100@1s,300@1s"),
                            Arrival.CONSTANT, 1, null))
                    .listener((s, h) -> intervals.add(s))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(30)), "the profile's 2 s end the run");
            // intervals 0 and 1 are in the first step, 2 and 3 in the second; each is sealed after it ends, so a
            // gauge read then would name the next step for interval 1
            assertEquals(List.of(100.0, 100.0, 300.0, 300.0), intervals.stream().map(IntervalStats::targetRate)
                    .toList().subList(0, 4));
            assertEquals(100, intervals.get(1).offeredRate(), 1e-6, "the target and what was offered agree");
            assertEquals(300, intervals.get(2).offeredRate(), 1e-6);
        }
    }
}
