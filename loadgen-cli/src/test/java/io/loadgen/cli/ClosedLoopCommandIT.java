package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.report.SummaryFile;
import io.loadgen.core.search.SweepFile;
import io.loadgen.core.testing.LoopbackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadgen run --concurrency}: one closed loop, and a sweep, against a server of one 10 ms slot. */
class ClosedLoopCommandIT {
    @Test
    void aClosedLoopRunSaysItsLatencyIsFromTheActualSend(@TempDir Path tmp) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.capacity(1, Duration.ofMillis(10)), false)) {
            Cli.Result r = Cli.run("run", "--target", server.uri("/c").toString(), "--concurrency", "1", "--count",
                    "200", "--duration", "0", "--out", tmp.resolve("one").toString(), "-q");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("closed loop, 1 sessions") && r.out().contains("latency (from send: closed)")
                    && r.out().contains("actual send"), r.out());
            SummaryFile s = SummaryFile.read(tmp.resolve("one").resolve(SummaryFile.FILE));
            assertEquals("closed", s.mode());
            assertEquals(1, s.concurrency());
            assertEquals(200, s.scheduled());
            assertEquals(200, s.ok());
            assertTrue(Files.readString(tmp.resolve("one").resolve("report.html")).contains("<b>actual</b> send"));
        }
    }

    @Test
    void aSweepWritesOneLevelPerConcurrencyWhoseLatencyGrowsAtTheServersCapacity(@TempDir Path tmp)
            throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.capacity(1, Duration.ofMillis(10)), false)) {
            Path dir = tmp.resolve("sweep");
            Cli.Result r = Cli.run("run", "--target", server.uri("/s").toString(), "--concurrency", "1,2,4",
                    "--duration", "6s", "--record-interval", "500ms", "--out", dir.toString());
            assertEquals(0, r.code(), r.out() + r.err());
            SweepFile f = SweepFile.read(dir.resolve(SweepFile.FILE));
            List<SweepFile.LevelEntry> levels = f.levels();
            assertEquals(List.of(1, 2, 4), levels.stream().map(SweepFile.LevelEntry::concurrency).toList());
            for (SweepFile.LevelEntry l : levels) {
                // one slot of 10 ms: about 100/s at any concurrency; each session waits for the others
                assertEquals(100, l.achievedRate(), 20, "level " + l);
                assertEquals(10.0 * l.concurrency(), l.p50Ms(), 4 + 2.0 * l.concurrency(), "level " + l);
            }
            assertEquals("actual send", f.latencyFrom());
            String report = Files.readString(dir.resolve("report.html"));
            assertTrue(report.contains("Concurrency sweep") && report.contains("<svg"), "the sweep's report");
            assertTrue(r.out().lines().filter(l -> l.matches("\\s+[124] .*")).count() == 3,
                    r.out());
        }
    }
}
