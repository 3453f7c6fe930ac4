package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.control.RunState;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.gui.ControlSource;
import io.loadgen.gui.Dashboard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * {@code loadgen gui} with its defaults, as a new user's first run: no target, so the bundled server is started in a
 * process of its own and the dashboard drives it with the sample images; Start gives answers and no errors. A real
 * JavaFX scene graph (Monocle, headless), a real server process, real HTTP on loopback.
 */
@ExtendWith(ApplicationExtension.class)
class DashboardDefaultsIT {
    @TempDir
    static Path tmp;
    private static LocalDashboard local;
    private static final StringWriter SAID = new StringWriter();
    private Dashboard dashboard;

    @BeforeAll
    static void startAsGuiDoes() throws Exception {
        // the defaults but for the server's port (0: a free one, not 8091) and the results' place
        Settings cfg = ServerProcessIT.settings(Map.of(CoreSettings.OUT_DIR, tmp.resolve("results").toString()));
        assertTrue(LocalDashboard.drivesBundledServer(cfg), "no target given: the bundled server");
        local = LocalDashboard.prepare(cfg, new WorkloadOptions(), new PrintWriter(SAID, true));
    }

    @AfterAll
    static void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Start
    void start(Stage stage) {
        dashboard = new Dashboard(ControlSource.local(local.engine()), local.results(), Duration.ofMillis(250));
        dashboard.preset(local.preset());
        stage.setScene(new Scene(dashboard, 1280, 800));
        stage.show();
    }

    private static void waitFor(Callable<Boolean> c, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.call()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** @return the text of the labelled control {@code #id}, read on the FX thread */
    private static String text(FxRobot robot, String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup(id).queryLabeled().getText()).get(5, TimeUnit.SECONDS);
    }

    @Test
    void startWithTheDefaultsGivesAnswersAndNoErrors(FxRobot robot) throws Exception {
        assertTrue(local.server().isPresent(), "the bundled server was started");
        ServerProcess server = local.server().get();
        assertTrue(server.isAlive());
        double capacity = local.preset().maxRate() / 2;
        assertTrue(local.preset().rate() >= 1 && local.preset().rate() <= capacity + 1,
                "Start sends half the probed capacity: " + local.preset() + "; " + SAID);
        assertTrue(text(robot, "#message").contains("bundled server at"), "the note says what was started");
        assertEquals(String.format(java.util.Locale.ROOT, "%.0f", local.preset().rate()), WaitForAsyncUtils.asyncFx(
                () -> robot.lookup("#rate").queryTextInputControl().getText()).get(5, TimeUnit.SECONDS));

        robot.clickOn("#start");
        waitFor(() -> local.engine().status().state() == RunState.RUNNING, "the run to start");
        waitFor(() -> local.engine().summary().counts().ok() >= 50, "50 answers");
        waitFor(() -> !"-".equals(text(robot, "#achieved")), "the achieved readout");
        robot.clickOn("#stop");
        waitFor(() -> local.engine().status().state() == RunState.ENDED, "the run to stop");

        RunSummary s = local.engine().summary();
        assertEquals(0, s.counts().errors().total(), "no errors: " + s.counts());
        assertTrue(s.counts().ok() >= 50, s.counts().toString());
        assertEquals("0.00%", text(robot, "#errors"));
        assertTrue(s.target().endsWith("/v1/classify") && s.target().startsWith(server.baseUri().toString()),
                s.target());
        waitFor(() -> local.results().lastDir() != null
                && Files.exists(local.results().lastDir().resolve("report.html")), "the run's results dir");
    }
}
