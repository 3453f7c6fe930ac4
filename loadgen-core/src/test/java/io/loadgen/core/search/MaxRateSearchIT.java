package io.loadgen.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.testing.LoopbackServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The search against a server of known capacity: two service slots of 10 ms each (an M/D/2 queue) serve at most
 * 200 requests/s. What the queueing model says, with margins for a short trial starting from an empty queue:
 * <ul>
 * <li>at utilisation 0.8 (160/s) or less the p99 response time stays far under the 150 ms bound (M/M/2, which waits
 * longer than M/D/2, has a p99 wait of ln(P_wait / 0.01) / (2μ - λ) = ln(71) / 40 s = 107 ms there), so every trial
 * there passes;</li>
 * <li>at 220/s or more the queue grows by at least 20 requests a second, 10 ms of waiting each second for each
 * request queued, so within a 3 s trial the p99 is over 150 ms: every trial there fails;</li>
 * <li>between them (160-220/s, around critical load) a short trial may go either way.</li>
 * </ul>
 * So the answer (the highest passing rate tried) lies in [150, 220]: the doubling reaches 200/s, and bisection from a
 * failing 200/s tries 150/s, which passes.
 */
class MaxRateSearchIT {

    @Test
    void findsTheCapacityOfAServerWithAFixedServiceTime() throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.capacity(2, Duration.ofMillis(10)), false)) {
            List<MaxRateSearch.Trial> seen = new ArrayList<>();
            MaxRateSearch search = new MaxRateSearch(Workload.builder(server.uri("/capacity")).build(),
                    TransportConfig.custom().connections(64).build(),
                    EngineConfig.custom().maxInFlight(64).build(),
                    SearchConfig.custom(Duration.ofMillis(150)).startRate(25).maxRate(1000).precision(0.04)
                            .interval(Duration.ofMillis(500)).trialLength(Duration.ofSeconds(3), Duration.ofSeconds(8))
                            .build(),
                    seen::add);
            MaxRateSearch.Result r = search.run();
            for (MaxRateSearch.Trial t : r.trials()) {
                System.out.printf("trial %d: %.1f/s -> achieved %.1f/s, p99 %s, %s%n", t.number(), t.targetRate(),
                        t.achievedRate(), t.p99(), t.reason());
            }
            assertEquals(r.trials(), seen, "each trial was reported as it ended");
            for (MaxRateSearch.Trial t : r.trials()) {
                if (t.targetRate() <= 160) {
                    assertTrue(t.passed(), "the model says " + t.targetRate() + "/s passes: " + t);
                } else if (t.targetRate() >= 220) {
                    assertFalse(t.passed(), "the model says " + t.targetRate() + "/s fails: " + t);
                }
            }
            assertTrue(r.maxRate() >= 150 && r.maxRate() <= 220, "found " + r.maxRate() + "/s for a capacity of 200/s");
            assertTrue(r.bracketWidth() <= 0.04 + 1e-9, "the bracket is within the precision: " + r.bracketWidth());
            assertFalse(Double.isNaN(r.lowestFailing()), "a failing rate bounds the answer");
            assertTrue(r.lowestFailing() > r.maxRate());

            // Rates clearly over capacity (4x and 2x it) stop early instead of running their whole trials.
            MaxRateSearch.Result over = new MaxRateSearch(Workload.builder(server.uri("/capacity")).build(),
                    TransportConfig.custom().connections(64).build(), EngineConfig.custom().maxInFlight(64).build(),
                    SearchConfig.custom(Duration.ofMillis(150)).startRate(800).maxRate(800).maxTrials(2)
                            .interval(Duration.ofMillis(500)).trialLength(Duration.ofSeconds(3), Duration.ofSeconds(8))
                            .build(), t -> { }).run();
            assertEquals(2, over.trials().size(), over.trials().toString());
            for (MaxRateSearch.Trial t : over.trials()) {
                assertFalse(t.passed(), t.toString());
                assertTrue(t.length().toMillis() < 3000, "a rate clearly over capacity stopped early: " + t);
            }
        }
    }
}
