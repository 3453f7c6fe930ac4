package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadgen gui} where no window can be shown: a clear error and exit 2, before anything is started. */
class GuiCommandIT {
    @Test
    void withoutADisplayOrGtk3TheGuiSaysWhatIsMissingAndExits2BeforeStartingTheServer(@TempDir Path home)
            throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-jar", jar.toString(), "gui", "--port", "0", "--out-dir",
                home.resolve("results").toString()).redirectErrorStream(true);
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gui did not exit");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        boolean gtk = io.loadgen.gui.DesktopCheckAccess.gtkPresent();
        assertTrue(gtk ? out.contains("needs a display") : out.contains("apt-get install libgtk-3-0"),
                "names what this machine lacks (GTK 3 " + (gtk ? "present" : "absent") + "): " + out);
        assertFalse(out.contains("Exception") || out.contains("internal error"), "no stack trace: " + out);
        assertFalse(out.contains("starting the bundled server"), "nothing started for a window that cannot open");
        assertFalse(Files.exists(home.resolve("results")), "no results dir either");
    }
}
