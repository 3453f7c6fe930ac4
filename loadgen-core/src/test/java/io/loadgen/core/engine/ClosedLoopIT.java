package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.testing.LoopbackServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Closed-loop sessions against servers of known behaviour, on both transports. */
class ClosedLoopIT {
    private static LoadGenerator generator(Target t, TransportConfig.Kind kind, RunPlan plan,
            List<IntervalStats> intervals) {
        return LoadGenerator.builder(Workload.builder(t.uri()).build())
                .transport(TransportConfig.custom().kind(kind).build())
                .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(500)).build())
                .plan(plan)
                .listener((s, h) -> intervals.add(s))
                .build();
    }

    /** The server under test. */
    private record Target(LoopbackServer server) {
        java.net.URI uri() {
            return server.uri("/closed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void fourSessionsAgainstAServerOfOneSlotOfTenMillisecondsGetItsCapacityAndWaitTheirTurn(
            TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.capacity(1, Duration.ofMillis(10)), false)) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = generator(new Target(server), kind,
                    RunPlan.closed(4, Duration.ZERO, Duration.ofSeconds(5), 0), intervals);
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(60)), "the run did not end");
            RunSummary s = gen.summary();
            assertTrue(s.closedLoop());
            assertEquals(4, s.concurrency());
            // one slot of 10 ms: about 100/s whatever the sessions; each waits for the 3 others: about 40 ms
            assertEquals(100, s.achievedRate(), 15, "achieved " + s.achievedRate());
            assertEquals(40, s.latency().p50().toMillis(), 10, "p50 " + s.latency().p50());
            assertEquals(s.counts().scheduled(), s.counts().completed() + s.counts().unfinished());
            assertEquals(0, s.counts().dropped());
            assertEquals(4, intervals.get(intervals.size() - 1).concurrency());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void oneSessionAndACountSendExactlyThatManyOneAfterTheOtherAndEnd(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(r -> 200, true)) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = generator(new Target(server), kind,
                    RunPlan.closed(1, Duration.ZERO, null, 300), intervals);
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(60)), "the run did not end by itself");
            RunSummary s = gen.summary();
            assertEquals("completed", s.state());
            assertEquals(300, s.counts().scheduled());
            assertEquals(300, s.counts().ok());
            assertEquals(300, server.count());
            List<LoopbackServer.Received> got = server.received();
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i).nanos() >= got.get(i - 1).nanos(), "one after the other");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void aLiveConcurrencyChangeTakesEffectWithinOneInterval(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.capacity(64, Duration.ofMillis(10)),
                false)) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            LoadGenerator gen = generator(new Target(server), kind,
                    RunPlan.closed(1, Duration.ZERO, Duration.ofSeconds(30), 0), intervals);
            gen.start();
            LiveRateChangeIT.waitFor(() -> intervals.size() >= 3, Duration.ofSeconds(20));
            int before = intervals.size();
            gen.setConcurrency(4);
            assertEquals(4, gen.status().concurrency());
            LiveRateChangeIT.waitFor(() -> intervals.size() >= before + 3, Duration.ofSeconds(20));
            gen.stop();
            double slow = intervals.get(before - 1).achievedRate();
            // the change fell in interval `before` (or just after it): the next one is wholly at 4 sessions
            IntervalStats after = intervals.get(before + 1);
            assertEquals(4, after.concurrency());
            assertTrue(after.achievedRate() > 3 * slow, "4 sessions after the change: " + after.achievedRate()
                    + "/s against " + slow + "/s with 1");
            assertThrows(IllegalArgumentException.class, () -> gen.setConcurrency(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void anOpenLoopRunRefusesAConcurrencyAndAClosedOneARate(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            LoadGenerator open = LoadGenerator.builder(Workload.builder(server.uri("/o")).build())
                    .transport(TransportConfig.custom().kind(kind).build()).build();
            assertThrows(IllegalStateException.class, () -> open.setConcurrency(2));
            LoadGenerator closed = generator(new Target(server), kind,
                    RunPlan.closed(2, Duration.ZERO, Duration.ofSeconds(1), 0), new CopyOnWriteArrayList<>());
            assertThrows(IllegalStateException.class, () -> closed.setRate(10));
        }
    }
}
