package io.loadgen.gui;

import java.time.Duration;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The JavaFX application. Launch it through {@link Launcher} (a plain main class, which JavaFX needs when its jars
 * are on the class path rather than the module path).
 */
public final class DashboardApp extends Application {
    private static volatile ControlSource source;
    private static volatile LocalResults results;
    private static volatile Duration poll = Duration.ofSeconds(1);
    private Dashboard dashboard;

    /** Sets what the next launch shows. */
    static void configure(ControlSource s, LocalResults r, Duration p) {
        source = s;
        results = r;
        poll = p;
    }

    @Override
    public void start(Stage stage) {
        dashboard = new Dashboard(source, results, poll);
        stage.setTitle("loadgen dashboard: " + source.describe());
        stage.setScene(new Scene(dashboard, 1280, 800));
        stage.show();
    }

    @Override
    public void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
    }
}
