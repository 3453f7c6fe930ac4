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
 * The search against a server of known capacity: two service slots of 10 ms each serve at most 200 requests/s; below
 * that the queue stays short, near it p99 explodes. The answer must be within 10% of 200/s.
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
            assertTrue(r.maxRate() >= 180 && r.maxRate() <= 220, "found " + r.maxRate() + "/s for a capacity of 200/s");
            assertFalse(Double.isNaN(r.lowestFailing()), "a failing rate bounds the answer");
            assertTrue(r.lowestFailing() > r.maxRate());
            assertTrue(r.trials().stream().anyMatch(t -> !t.passed() && t.length().toSeconds() < 3),
                    "a rate clearly over capacity stopped early");
        }
    }
}
