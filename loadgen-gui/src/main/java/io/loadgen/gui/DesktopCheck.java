package io.loadgen.gui;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Whether this machine can show the dashboard's window, asked before anything is started, and what JavaFX's own
 * failures mean: on Linux JavaFX draws through GTK 3 ({@code libgtk-3.so.0}) on an X display, and without either it
 * fails with an internal exception. These name what is missing and how to get it.
 */
public final class DesktopCheck {
    /** The library JavaFX's Linux window system (glass) loads. */
    static final String GTK3 = "libgtk-3.so.0";
    /** Where distributions keep shared libraries, for a lookup without {@code ldconfig}. */
    private static final List<String> LIBRARY_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib");

    private DesktopCheck() {
    }

    /** @return what keeps this machine from showing the window, or empty when nothing known does */
    public static Optional<String> problem() {
        return problem(System.getProperty("os.name", ""), System.getProperty("glass.platform"), System.getenv(),
                DesktopCheck::libraryPresent);
    }

    /**
     * @param osName the {@code os.name} property
     * @param glassPlatform the {@code glass.platform} property (Monocle draws headless, with neither), or null
     * @param env the environment
     * @param library whether a shared library of this name can be loaded
     * @return what is missing, in a sentence that says how to get it; empty when nothing is
     */
    static Optional<String> problem(String osName, String glassPlatform, Map<String, String> env,
            Predicate<String> library) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux") || "Monocle".equalsIgnoreCase(glassPlatform)) {
            return Optional.empty();
        }
        if (!library.test(GTK3)) {
            return Optional.of(gtkMissing());
        }
        String display = env.get("DISPLAY");
        if (display == null || display.isBlank()) {
            return Optional.of(noDisplay());
        }
        return Optional.empty();
    }

    /**
     * @param failure what JavaFX threw when it started
     * @return what it means, in a sentence that says what to do
     */
    public static String explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("Unable to load glass GTK library")) {
                return gtkMissing();
            }
            if (m.contains("Unable to open DISPLAY")) {
                return noDisplay();
            }
        }
        return "the dashboard's window could not be opened: " + failure;
    }

    private static String gtkMissing() {
        return "the dashboard needs GTK 3 (" + GTK3 + "), which JavaFX draws its windows with on Linux, and this"
                + " machine lacks it: install it (Debian and Ubuntu: apt-get install libgtk-3-0; Fedora: dnf install"
                + " gtk3), or watch a run from a machine that has it (loadgen gui --connect HOST:PORT)";
    }

    private static String noDisplay() {
        return "the dashboard needs a display and there is none (DISPLAY is not set, or names no X server): run it"
                + " in a desktop session, under xvfb-run, or with ssh -X; or watch a run from a machine that has one"
                + " (loadgen gui --connect HOST:PORT)";
    }

    /** @return whether the dynamic linker can find {@code name}: {@code ldconfig -p}, else the usual directories */
    static boolean libraryPresent(String name) {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (Files.isExecutable(Path.of(ldconfig))) {
                try {
                    Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                    boolean found = false;
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            found |= line.trim().startsWith(name + " ");
                        }
                    }
                    if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        return found || inLibraryDirs(name);
                    }
                } catch (IOException e) {
                    break; // below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return inLibraryDirs(name);
    }

    private static boolean inLibraryDirs(String name) {
        String extra = System.getenv("LD_LIBRARY_PATH");
        if (extra != null) {
            for (String d : extra.split(":")) {
                if (!d.isBlank() && Files.exists(Path.of(d, name))) {
                    return true;
                }
            }
        }
        return LIBRARY_DIRS.stream().anyMatch(d -> Files.exists(Path.of(d, name)));
    }
}
