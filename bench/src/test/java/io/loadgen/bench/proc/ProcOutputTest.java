package io.loadgen.bench.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.loadgen.bench.testing.Captured;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The readers of /proc and of GC logs, on captured text. */
class ProcOutputTest {

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
        ProcStat s = ProcStat.parse(Captured.text("proc-stat.txt").trim());
        assertEquals("cat", s.name());
        assertEquals(1, s.threads());
    }

    @Test
    void gcLogPausesAndLiveHeapAreRead() throws IOException {
        GcLog g = GcLog.parse(List.of(Captured.text("gc.log").split("\n")));
        // seven young pauses, a remark and a cleanup; the concurrent cycle is not a pause
        assertEquals(9, g.pauses());
        assertEquals(19.976, g.maxMs(), 1e-9);
        assertEquals(29, g.afterGcMaxMb(), 1e-9);
    }

    private static ProcStat proc(long pid, long ppid, long own, long reaped) {
        return new ProcStat(pid, "p" + pid, 'S', ppid, own, 0, reaped, 0, 1);
    }

    @Test
    void otherProcessesCpuCountsTheWindowOnlyEvenForAProcessThatEndedInIt() {
        // 10: a shell; 11: its child, 50 ticks old at the start, ends in the window after 10 more (the shell's
        // reaped time then holds all 60); 12: started in the window; 5: the bench, 6: its child; 3: a kernel thread
        ProcScan start = new ProcScan(0, Map.of(10L, proc(10, 1, 100, 0), 11L, proc(11, 10, 50, 0),
                5L, proc(5, 1, 1000, 0), 6L, proc(6, 5, 500, 0), 3L, proc(3, 2, 40, 0)));
        ProcScan end = new ProcScan(1_000_000_000L, Map.of(10L, proc(10, 1, 120, 60), 12L, proc(12, 1, 7, 0),
                5L, proc(5, 1, 2000, 0), 6L, proc(6, 5, 900, 0), 3L, proc(3, 2, 90, 0)));
        assertEquals(20 + 10 + 7, start.otherTicks(end, Set.of(5L)));
        assertEquals(20 + 10 + 7 + 1000 + 400, start.otherTicks(end, Set.of(1234L)), "not excluded, the bench and"
                + " its child count too");
    }
}
