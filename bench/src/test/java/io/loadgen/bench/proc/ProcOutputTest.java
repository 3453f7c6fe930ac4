package io.loadgen.bench.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The readers of /proc and of GC logs, on captured text. */
class ProcOutputTest {

    private static String captured(String name) throws IOException {
        try (InputStream in = ProcOutputTest.class.getResourceAsStream("/captured/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aStatLineIsReadAfterTheLastParenthesisOfItsName() {
        // proc(5): pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ... num_threads(20)
        String line = "4242 (java (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 89 10 20 0 27 0 1000"
                + " 123456 789 18446744073709551615";
        ProcStat s = ProcStat.parse(line);
        assertEquals(4242, s.pid());
        assertEquals("java (odd) name", s.name());
        assertEquals('S', s.state());
        assertEquals(1, s.ppid());
        assertEquals(1234 + 567, s.ownTicks());
        assertEquals(89 + 10, s.reapedTicks());
        assertEquals(27, s.threads());
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("not a stat line"));
    }

    @Test
    void aCapturedStatLineOfARealProcessIsRead() throws IOException {
        ProcStat s = ProcStat.parse(captured("proc-stat.txt").trim());
        assertEquals("cat", s.name());
        assertEquals(1, s.threads());
    }

    @Test
    void gcLogPausesAndLiveHeapAreRead() throws IOException {
        GcLog g = GcLog.parse(List.of(captured("gc.log").split("\n")));
        // seven young pauses, a remark and a cleanup; the concurrent cycle is not a pause
        assertEquals(9, g.pauses());
        assertEquals(19.976, g.maxMs(), 1e-9);
        assertEquals(29, g.afterGcMaxMb(), 1e-9);
    }
}
