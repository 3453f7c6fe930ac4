package io.loadgen.gui;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * Starts JavaFX and opens the dashboard window. {@link #startToolkit()} comes first, before anything slow is
 * started for the window (the bundled server): a machine that cannot show it says so at once.
 */
public final class Launcher {
    /**
     * JavaFX warns, through its java.util.logging logger, that it was loaded from the class path rather than as
     * modules: it is, and works so; that one warning is left out.
     */
    private static final Logger JAVAFX_LOG = Logger.getLogger("javafx");
    private static boolean started;

    private Launcher() {
    }

    /**
     * Starts the JavaFX toolkit, once per JVM.
     *
     * @throws DesktopUnavailableException when this machine cannot show a window: the message names what is missing
     *     (GTK 3, a display) and how to get it
     */
    public static synchronized void startToolkit() {
        if (started) {
            return;
        }
        DesktopCheck.problem().ifPresent(p -> {
            throw new DesktopUnavailableException(p, null);
        });
        JAVAFX_LOG.setFilter(r -> r.getLevel().intValue() > Level.WARNING.intValue() || r.getMessage() == null
                || !r.getMessage().startsWith("Unsupported JavaFX configuration"));
        try {
            Platform.startup(() -> { });
        } catch (IllegalStateException running) {
            // started already (by a test harness): use it
        } catch (RuntimeException | LinkageError e) {
            throw new DesktopUnavailableException(DesktopCheck.explain(e), e);
        }
        Platform.setImplicitExit(false);
        started = true;
    }

    /**
     * Opens the dashboard window and returns when it is closed.
     *
     * @param source the engine to show
     * @param results where a local engine's runs are written, or {@code null}
     * @param poll how often to read the engine
     * @param preset the rate the controls start at, and a note to show
     * @throws DesktopUnavailableException when this machine cannot show a window
     * @throws InterruptedException if interrupted while the window is open (it is closed)
     */
    public static void open(ControlSource source, LocalResults results, Duration poll, Dashboard.Preset preset)
            throws InterruptedException {
        startToolkit();
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Stage> window = new AtomicReference<>();
        Platform.runLater(() -> {
            Dashboard dashboard = new Dashboard(source, results, poll);
            dashboard.preset(preset);
            Stage stage = new Stage();
            stage.setTitle("loadgen dashboard: " + source.describe());
            stage.setScene(new Scene(dashboard, 1280, 800));
            stage.setOnHidden(e -> {
                dashboard.close();
                closed.countDown();
            });
            window.set(stage);
            stage.show();
        });
        try {
            closed.await();
        } finally {
            Platform.runLater(() -> {
                if (window.get() != null) {
                    window.get().hide();
                }
                Platform.exit();
            });
        }
    }
}
