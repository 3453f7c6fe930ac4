package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.config.JvmOptionsFile;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.Warmup;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.report.SummaryFile;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.LoopbackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures a user gets with default flags are the target's, not the generator's: a cold JVM, timeouts, a
 * warm-up, a slow target and the client's own limits are each shown for what they are.
 */
class TruthByDefaultIT {
    private static Cli.Result loadgen(String... args) {
        return Cli.run(args);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** @return the JVM options {@code ./loadgen} starts loadgen with: those of {@code conf/jvm.options} */
    private static List<String> launcherOptions() throws IOException {
        List<String> out = JvmOptionsFile.read(Path.of("..", "conf", "jvm.options"));
        assertFalse(out.isEmpty(), "conf/jvm.options names no option");
        return out;
    }

    @Test
    void aDefaultTenSecondRunInAFreshJvmAgainstAFastServerIsNotChargedTheGeneratorsColdStart(@TempDir Path tmp)
            throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        try (LoopbackServer server = LoopbackServer.ok()) {
            // The server lives in this JVM: warm it first, so that what is measured is the generator's start.
            LoadGenerator warm = LoadGenerator.builder(Workload.builder(server.uri("/warm")).build())
                    .engine(EngineConfig.custom().warmup(Warmup.NONE).build())
                    .plan(new RunPlan(new ConstantRate(2000), Arrival.CONSTANT, 1, Duration.ofSeconds(4))).build();
            warm.start();
            assertTrue(warm.awaitEnd(Duration.ofSeconds(30)), "the server's warm-up run ended");
            long before = server.count();
            // this JVM's heap holds what the tests before left: collect it now rather than during the measured run,
            // where its pause would stall the server (and take processors the generator under test needs)
            System.gc();

            Path dir = tmp.resolve("cold");
            // as a user runs it: ./loadgen, whose JVM options (the heap's ceiling, the collector) are the defaults
            List<String> command = new ArrayList<>(List.of(javaBin()));
            command.addAll(launcherOptions());
            command.addAll(List.of("-jar", jar.toString(), "run", "--target", server.uri("/fast").toString(), "--rate",
                    "2000", "--arrival", "constant", "--duration", "10s", "--out", dir.toString(), "-q"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("out.txt").toFile()).start();
            try {
                assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the run did not end within 90 s");
            } finally {
                p.destroyForcibly();
            }
            String out = Files.readString(tmp.resolve("out.txt"));
            assertEquals(0, p.exitValue(), out);
            SummaryFile s = SummaryFile.read(dir.resolve(SummaryFile.FILE));
            assertEquals(20_000, s.scheduled(), 2, out);
            assertEquals(s.scheduled(), s.ok(), out);
            assertTrue(s.latencyMs().p99() < 5, "p99 " + s.latencyMs().p99() + " ms in a fresh JVM: " + out);
            assertTrue(s.sendLagMs().p99() < 1, "send lag p99 " + s.sendLagMs().p99() + " ms: " + out);
            assertTrue(s.selfWarm().contains("loopback sink"), s.selfWarm());
            assertEquals(s.completed(), server.count() - before, "the self-warm sent nothing to the target");
        }
    }

    @Test
    void requestsThatNeverComeBackCountAtTheirTimeoutAndFailTheAssertion(@TempDir Path tmp) throws Exception {
        AtomicLong n = new AtomicLong();
        try (LoopbackServer server = LoopbackServer.start(r -> {
            if (n.incrementAndGet() % 20 == 0) {
                TimeUnit.SECONDS.sleep(4); // never answers within the client's timeout
            }
            return 200;
        }, false)) {
            Path dir = tmp.resolve("silent");
            Cli.Result r = loadgen("run", "--target", server.uri("/one-in-20").toString(), "--rate", "200",
                    "--duration", "5s", "--timeout", "1s", "--out", dir.toString(), "-q", "--assert", "p99<100ms");
            assertEquals(Main.EXIT_ASSERTION_FAILED, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("ASSERTION FAILED: p99<100ms"), r.err());
            SummaryFile s = SummaryFile.read(dir.resolve(SummaryFile.FILE));
            assertEquals(0.05, (double) s.errors().timeout() / s.sent(), 0.02, "about 1 in 20 timed out: " + r.out());
            assertEquals(s.sent(), s.latencyMs().count(), "every sent request is in the latency figures");
            assertTrue(s.latencyMs().p99() >= 1000, "p99 " + s.latencyMs().p99() + " ms, never below the timeout");
            assertTrue(s.latencyMs().p50() < 100, "the answered ones were fast: " + s.latencyMs().p50());
        }
    }

    @Test
    void withAWarmupEveryCountIsOfOneSetOfRequests(@TempDir Path tmp) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(r -> {
            TimeUnit.MILLISECONDS.sleep(r.nanos() % 40); // 0-39 ms: answers cross interval boundaries
            return 200;
        }, false)) {
            Path dir = tmp.resolve("warm");
            Cli.Result r = loadgen("run", "--target", server.uri("/set").toString(), "--rate", "400", "--duration", "6s",
                    "--warmup", "2s", "--record-interval", "500ms", "--out", dir.toString(), "-q");
            assertEquals(0, r.code(), r.out() + r.err());
            SummaryFile s = SummaryFile.read(dir.resolve(SummaryFile.FILE));
            assertEquals(2.0, s.warmupS(), 1e-9);
            assertEquals(4.0, s.durationS(), 0.01);
            assertTrue(s.completed() <= s.sent() && s.sent() <= s.scheduled(), "completed <= sent <= scheduled: "
                    + s.completed() + ", " + s.sent() + ", " + s.scheduled());
            assertEquals(s.scheduled(), s.sent() + s.dropped());
            assertEquals(s.sent(), s.completed() + s.unfinished());
            assertTrue(s.achievedRate() <= s.offeredRate(), "achieved " + s.achievedRate() + " of " + s.offeredRate());
            assertEquals(1600, s.scheduled(), 160, "about 400/s over the 4 s measured");

            List<String> rows = Files.readAllLines(dir.resolve("timeline.csv"));
            List<String> header = List.of(rows.get(0).split(","));
            int phase = header.indexOf("phase");
            int scheduled = header.indexOf("scheduled");
            int sent = header.indexOf("sent");
            int completed = header.indexOf("completed");
            long warmRows = 0;
            long measuredScheduled = 0;
            long measuredCompleted = 0;
            for (String row : rows.subList(1, rows.size())) {
                String[] c = row.split(",");
                long sc = Long.parseLong(c[scheduled]);
                long se = Long.parseLong(c[sent]);
                long co = Long.parseLong(c[completed]);
                assertTrue(co <= se && se <= sc, "each interval is one set too: " + row);
                if (c[phase].equals("warmup")) {
                    warmRows++;
                } else {
                    assertEquals("measured", c[phase]);
                    measuredScheduled += sc;
                    measuredCompleted += co;
                }
            }
            assertEquals(4, warmRows, "2 s of 500 ms intervals are marked warmup");
            assertEquals(s.scheduled(), measuredScheduled, "the summary is the sum of the measured rows");
            assertEquals(s.completed(), measuredCompleted);
        }
    }

    @Test
    void aSlowTargetIsHeldWithDefaultFlagsAndTheClientsOwnLimitMakesTheRunInvalid(@TempDir Path tmp)
            throws Exception {
        try (LoopbackServer server = LoopbackServer.start(r -> {
            TimeUnit.MILLISECONDS.sleep(50);
            return 200;
        }, false)) {
            Path dir = tmp.resolve("slow");
            Cli.Result r = loadgen("run", "--target", server.uri("/slow").toString(), "--rate", "200", "--duration", "5s",
                    "--out", dir.toString(), "-q", "--assert", "valid");
            SummaryFile s = SummaryFile.read(dir.resolve(SummaryFile.FILE));
            assertTrue(s.achievedRate() >= 0.99 * s.offeredRate(), "achieved " + s.achievedRate() + " of "
                    + s.offeredRate() + ": " + r.out());
            assertTrue(s.latencyMs().p99() < 90, "p99 " + s.latencyMs().p99() + " ms for a 50 ms target: " + r.out());
            assertTrue(s.verdict().valid(), "a slow target is no fault of the generator: " + s.verdict());
            assertEquals(0, s.waited(), "no request waited in the client");
            assertEquals(0, r.code(), r.out() + r.err());

            Path limited = tmp.resolve("limited");
            Cli.Result l = loadgen("run", "--target", server.uri("/slow").toString(), "--rate", "200", "--duration", "3s",
                    "--max-in-flight", "2", "--drain-timeout", "1s", "--out", limited.toString(), "-q",
                    "--assert", "valid");
            assertEquals(Main.EXIT_ASSERTION_FAILED, l.code(), l.out() + l.err());
            SummaryFile v = SummaryFile.read(limited.resolve(SummaryFile.FILE));
            assertFalse(v.verdict().valid());
            assertTrue(v.verdict().reasons().stream().anyMatch(x -> x.contains("waited in the client")
                    && x.contains("in-flight limit 2 (--max-in-flight)")), v.verdict().reasons().toString());
            assertTrue(l.out().contains("INVALID"), l.out());
        }
    }
}
