package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.config.ChronoDurations;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.LoopbackServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stall of a lane's own event loop (its thread blocked for 60 ms, as a long read or a pause would block it) makes
 * the requests due during it late, and that lateness is measured; it does not become lateness of the requests due
 * after it: the lane catches up at once and then wakes at its due times again.
 */
class LoopStallIT {
    @Test
    void aStallInTheLoopIsMeasuredAndDoesNotBecomeLatenessAtTheNextDueTimes() throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
            Run run = new Run(Workload.builder(server.uri("/stall")).build(),
                    TransportConfig.custom().kind(TransportConfig.Kind.LEAN).build(),
                    EngineConfig.custom().recordInterval(Duration.ofMillis(100)).build(),
                    new RunPlan(new ConstantRate(400), Arrival.POISSON, 7, Duration.ofSeconds(4)),
                    List.of((s, h) -> intervals.add(s)));
            // wait until the run's clock has started and run 1.5 s, then block each lane's loop for 60 ms
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (intervals.size() < 15) {
                assertTrue(System.nanoTime() < deadline, "the run did not start");
                Thread.sleep(20);
            }
            IntervalStats before = intervals.get(intervals.size() - 1);
            long stallIndex = before.index() + 1;
            for (Lane l : run.lanesForTest()) {
                l.driver.runOnLane(() -> { });
                new Thread(() -> {
                    try {
                        l.driver.runOnLane(() -> sleep(60));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).start();
            }
            assertTrue(run.await(Duration.ofSeconds(30)), "the run did not end");

            double stalled = intervals.stream().filter(i -> i.index() >= stallIndex && i.index() <= stallIndex + 2)
                    .mapToDouble(i -> ChronoDurations.millis(i.sendLag().max())).max().orElse(0);
            assertTrue(stalled >= 40, "the stall is measured as send lag: " + stalled + " ms");
            // every interval that began 300 ms after the stall: the lane sends on time again
            List<IntervalStats> after = intervals.stream().filter(i -> !i.warmup() && i.index() >= stallIndex + 4
                    && i.counts().scheduled() > 0).toList();
            assertTrue(after.size() >= 15, "intervals after the stall: " + after.size());
            long onTime = after.stream().filter(i -> ChronoDurations.millis(i.sendLag().max()) < 5).count();
            assertTrue(onTime >= after.size() * 8 / 10, onTime + " of " + after.size() + " intervals after the stall"
                    + " sent every request within 5 ms of its time; the rest: " + after.stream()
                            .map(i -> ChronoDurations.format(i.sendLag().max())).toList());
            assertEquals(run.summary().counts().scheduled(), run.summary().counts().ok(), "every request answered");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
