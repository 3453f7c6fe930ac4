package io.loadgen.cli;

import io.loadgen.core.config.CoreSettings;
import io.loadgen.gui.ControlSource;
import io.loadgen.gui.Dashboard;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.TextField;
import javafx.stage.Stage;

/**
 * Makes docs/dashboard.png: the dashboard as {@code loadgen gui} opens it with its defaults (the bundled server in a
 * process of its own, probed, driven with the sample images), rendered headless (Monocle), while the rate is raised
 * in steps past the server's capacity. Run by tools/dashboard-screenshot.
 */
public final class DashboardScreenshot {
    private DashboardScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/dashboard.png").toAbsolutePath();
        Path results = Files.createTempDirectory("dashboard-screenshot");
        try (LocalDashboard local = LocalDashboard.prepare(ServerProcessIT.settings(Map.of(CoreSettings.OUT_DIR,
                results.toString(), CoreSettings.RECORD_INTERVAL, "500ms")), new WorkloadOptions(),
                new PrintWriter(System.out, true))) {
            CountDownLatch shown = new CountDownLatch(1);
            Dashboard[] d = new Dashboard[1];
            Platform.startup(() -> {
                d[0] = new Dashboard(ControlSource.local(local.engine()), local.results(), Duration.ofMillis(250));
                d[0].preset(local.preset());
                Stage stage = new Stage();
                stage.setScene(new Scene(d[0], 1280, 800));
                stage.show();
                shown.countDown();
            });
            if (!shown.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the dashboard did not show");
            }
            Scene scene = d[0].getScene();
            Platform.runLater(() -> ((Button) scene.lookup("#start")).fire());
            // from half the capacity to past it: the knee shows on the charts
            double top = local.preset().maxRate();
            for (double f : new double[] {0.2, 0.3, 0.4, 0.45, 0.5}) {
                long rate = Math.round(f * top);
                Platform.runLater(() -> {
                    ((TextField) scene.lookup("#rate")).setText(Long.toString(rate));
                    ((Button) scene.lookup("#set-rate")).fire();
                });
                Thread.sleep(6000);
            }
            d[0].exportPng(out);
            local.engine().stop();
            d[0].close();
            Platform.exit();
            System.out.println(out);
        }
    }
}
