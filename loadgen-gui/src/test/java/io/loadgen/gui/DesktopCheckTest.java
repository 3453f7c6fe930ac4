package io.loadgen.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What keeps a machine from showing the dashboard, named before anything starts, and JavaFX's failures explained. */
class DesktopCheckTest {
    @Test
    void linuxWithoutGtk3IsToldWhichPackageToInstall() {
        Optional<String> p = DesktopCheck.problem("Linux", null, Map.of("DISPLAY", ":0"), lib -> false);
        assertTrue(p.orElseThrow().contains("libgtk-3.so.0") && p.get().contains("apt-get install libgtk-3-0"),
                p.get());
    }

    @Test
    void linuxWithoutADisplayIsToldSo() {
        Optional<String> p = DesktopCheck.problem("Linux", null, Map.of(), lib -> true);
        assertTrue(p.orElseThrow().contains("needs a display") && p.get().contains("xvfb-run"), p.get());
    }

    @Test
    void aMachineWithBothOrHeadlessMonocleOrAnotherOsPasses() {
        assertEquals(Optional.empty(), DesktopCheck.problem("Linux", null, Map.of("DISPLAY", ":0"), lib -> true));
        assertEquals(Optional.empty(), DesktopCheck.problem("Linux", "Monocle", Map.of(), lib -> false));
        assertEquals(Optional.empty(), DesktopCheck.problem("Mac OS X", null, Map.of(), lib -> false));
    }

    @Test
    void javaFxsOwnFailuresAreExplainedNotDumped() {
        assertTrue(DesktopCheck.explain(new RuntimeException("launch", new UnsupportedOperationException(
                "Unable to load glass GTK library."))).contains("apt-get install libgtk-3-0"));
        assertTrue(DesktopCheck.explain(new UnsupportedOperationException("Unable to open DISPLAY"))
                .contains("needs a display"));
        assertTrue(DesktopCheck.explain(new IllegalStateException("odd")).contains("odd"));
    }

    @Test
    void theLookupFindsALibraryThisMachineHasAndNotOneItLacks() {
        // libc is on every Linux machine that runs a JVM; no machine has this one
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(DesktopCheck.libraryPresent("libc.so.6"), "libc.so.6 is found");
        }
        assertTrue(!DesktopCheck.libraryPresent("libno-such-library-here.so.9"));
    }

    @Test
    void theSlidersTicksAreRound() {
        assertEquals(20, Dashboard.niceTick(144), 1e-9);
        assertEquals(100, Dashboard.niceTick(1000), 1e-9);
        assertEquals(0.5, Dashboard.niceTick(4), 1e-9);
    }
}
