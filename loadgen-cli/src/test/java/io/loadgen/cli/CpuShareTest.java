package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the processors are shared between the generator and the bundled server it starts. */
class CpuShareTest {
    @Test
    void linuxCpuListsReadAndWriteBack() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), CpuShare.parseList("0-3,8,10-11\n"));
        assertEquals("0-3,8,10-11", CpuShare.format(List.of(0, 1, 2, 3, 8, 10, 11)));
        assertEquals(List.of(1), CpuShare.parseList(" 1 "));
        assertThrows(IllegalArgumentException.class, () -> CpuShare.parseList("3-1"));
        assertThrows(IllegalArgumentException.class, () -> CpuShare.parseList("1-2-3"));
    }

    @Test
    void theServerGetsEveryProcessorButTheFirstAndTheGeneratorKeepsThatOne() {
        CpuShare two = CpuShare.of(List.of(0, 1));
        assertEquals(1, two.serverCpus());
        assertEquals(Optional.of("1"), two.serverCpuList());
        assertTrue(two.describe().startsWith("1 of 2 processors (cpu 1)"), two.describe());

        CpuShare eight = CpuShare.of(List.of(2, 3, 4, 5, 6, 7, 8, 9));
        assertEquals(7, eight.serverCpus());
        assertEquals(Optional.of("3-9"), eight.serverCpuList());

        CpuShare one = CpuShare.of(List.of(0));
        assertEquals(1, one.serverCpus());
        assertFalse(one.pinned(), "one processor: nothing to set apart");
        assertTrue(one.describe().contains("shared with the generator"), one.describe());
        assertFalse(two.unpinned().pinned());
        assertEquals(1, two.unpinned().serverCpus(), "without taskset the thread counts stay");
    }

    @Test
    void theChildsCommandPinsItAndSizesItsJvmAndStopsItWithItsParent() {
        List<String> cmd = ServerProcess.command(CpuShare.of(List.of(0, 1)), Path.of("/tmp/x/server.properties"));
        assertEquals(List.of("taskset", "-c", "1"), cmd.subList(0, 3));
        assertTrue(cmd.contains("-XX:ActiveProcessorCount=1"), cmd.toString());
        assertTrue(cmd.containsAll(List.of("serve", "--stop-with-parent", "--config", "/tmp/x/server.properties")),
                cmd.toString());
        List<String> unpinned = ServerProcess.command(CpuShare.of(List.of(0)), Path.of("s.properties"));
        assertFalse(unpinned.contains("taskset"), unpinned.toString());
    }

    @Test
    void eachDemoStepIsAWholeNumberOfIntervals() {
        java.time.Duration s = java.time.Duration.ofSeconds(1);
        assertEquals(java.time.Duration.ofSeconds(8), DemoCommand.stepLength(java.time.Duration.ofSeconds(60), s));
        assertEquals(java.time.Duration.ofSeconds(1), DemoCommand.stepLength(java.time.Duration.ofSeconds(8), s));
        assertEquals(java.time.Duration.ofMillis(7500), DemoCommand.stepLength(java.time.Duration.ofSeconds(60),
                java.time.Duration.ofMillis(500)));
    }

    @Test
    void theDashboardsSliderEndsAtARoundRate() {
        assertEquals(200, LocalDashboard.sliderTop(128.6));
        assertEquals(100, LocalDashboard.sliderTop(100));
        assertEquals(50, LocalDashboard.sliderTop(21));
        assertEquals(1, LocalDashboard.sliderTop(0.3));
    }
}
