package io.loadgen.bench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.bench.testing.Captured;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parsers of the tools' output, on output captured from real runs of the bench (src/test/resources/captured). */
class ToolOutputTest {

    @Test
    void wrk2sCorrectedPercentilesAndCalibrationAreRead() throws IOException {
        Wrk2Output o = Wrk2Output.parse(Captured.text("wrk2-R10000.txt"));
        assertEquals(0.90, o.p50Ms(), 1e-9);
        assertEquals(1.88, o.p99Ms(), 1e-9);
        assertEquals(3.79, o.maxMs(), 1e-9);
        assertEquals(2, o.calibrated(), "one calibration line a thread");
        assertTrue(o.recorded() > 0 && o.recorded() < o.requests(), "the corrected histogram leaves out the"
                + " calibration: " + o.recorded() + " of " + o.requests());
        assertEquals(0, o.errors());
        assertTrue(o.requestsPerSecond() > 9000 && o.requestsPerSecond() < 10_100, "" + o.requestsPerSecond());
    }

    @Test
    void wrksPercentilesInMicrosecondsAndMillisecondsAreRead() throws IOException {
        WrkOutput o = WrkOutput.parse(Captured.text("wrk-t1-c32.txt"));
        assertEquals(0.128, o.p50Ms(), 1e-9, "128.00us");
        assertEquals(1.72, o.p99Ms(), 1e-9, "1.72ms");
        assertEquals(601_005, o.requests());
        assertEquals(150_110.22, o.requestsPerSecond(), 1e-6);
        assertEquals(0, o.errors());
    }

    @Test
    void wrksSocketErrorsAndNon2xxAnswersAreErrors() {
        String text = "  601005 requests in 4.00s, 95.72MB read\n"
                + "  Socket errors: connect 3, read 4, write 5, timeout 6\n"
                + "  Non-2xx or 3xx responses: 7\nRequests/sec: 150110.22\n";
        WrkOutput o = WrkOutput.parse(text);
        assertEquals(18, o.socketErrors());
        assertEquals(7, o.non2xx());
        assertEquals(25, o.errors());
        assertTrue(Double.isNaN(o.p99Ms()), "no latency distribution printed");
    }

    @Test
    void h2loadsSummaryLinesAreRead() throws IOException {
        H2loadOutput o = H2loadOutput.parse(Captured.text("h2load-10000.txt"));
        assertEquals(4.00, o.seconds(), 1e-9);
        assertEquals(9990.00, o.requestsPerSecond(), 1e-9);
        assertEquals(39_960, o.total());
        assertEquals(40_000, o.started());
        assertEquals(39_960, o.succeeded());
        assertEquals(0, o.errors());
        H2loadOutput none = H2loadOutput.parse("connect error\n");
        assertTrue(Double.isNaN(none.requestsPerSecond()));
        assertEquals(-1, none.total());
    }

    @Test
    void h2loadsLogGivesPercentilesOfAnsweredRequestsOnly(@TempDir Path dir) throws IOException {
        // h2load --log-file: start time (us since epoch), status (-1: no answer), duration (us)
        StringBuilder log = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            log.append(1_700_000_000_000_000L + i).append('\t').append(200).append('\t').append(i * 10).append('\n');
        }
        log.append(1_700_000_000_000_999L).append("\t-1\t999999\n");
        Path f = dir.resolve("log.tsv");
        Files.writeString(f, log);
        H2loadOutput.LogPercentiles p = H2loadOutput.LogPercentiles.read(f);
        assertEquals(100, p.count(), "the unanswered request is left out");
        assertEquals(0.50, p.p50Ms(), 1e-9);
        assertEquals(0.99, p.p99Ms(), 1e-9);
        assertEquals(1.00, p.maxMs(), 1e-9);
    }

    @Test
    void loadgensSummaryGivesItsFiguresVerdictAndCounts() throws IOException {
        LoadgenSummary s = LoadgenSummary.parse(Captured.text("loadgen-summary.json"));
        assertEquals(10_000, s.offered(), 1e-6);
        assertEquals(12.095, s.p99Ms(), 1e-9);
        assertEquals(3.097, s.sendLagP99Ms(), 1e-9);
        assertFalse(s.valid());
        assertEquals(1, s.reasons().size());
        assertTrue(s.reasons().get(0).startsWith("send lag p99"), s.reasons().get(0));
        assertEquals("lean", s.transport());
        assertEquals(40_000, s.counts().scheduled());
        assertEquals(0, s.counts().gap(), "every request accounted for: " + s.counts());
        assertThrows(IOException.class, () -> LoadgenSummary.parse("{\"offered_rate\": 1}"));
    }
}
