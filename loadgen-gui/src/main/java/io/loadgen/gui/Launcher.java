package io.loadgen.gui;

import java.time.Duration;
import javafx.application.Application;

/** Opens the dashboard window and returns when it is closed. */
public final class Launcher {
    private Launcher() {
    }

    /**
     * @param source the engine to show
     * @param results where a local engine's runs are written, or {@code null}
     * @param poll how often to read the engine
     */
    public static void open(ControlSource source, LocalResults results, Duration poll) {
        DashboardApp.configure(source, results, poll);
        Application.launch(DashboardApp.class);
    }
}
