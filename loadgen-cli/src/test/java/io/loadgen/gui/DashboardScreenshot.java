package io.loadgen.gui;

import io.loadgen.cli.DemoCommand;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.Workload;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.model.DefaultModel;
import io.loadgen.server.model.TensorFlowModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * Makes docs/dashboard.png: the dashboard, rendered headless (Monocle), during a real run against the bundled server
 * with its default model. Run by tools/dashboard-screenshot (in this package for the dashboard's controls).
 */
public final class DashboardScreenshot {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/dashboard.png");
        try (InferenceServer server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0)
                .batcher(BatcherConfig.custom().maxBatch(8).build()).build(), maxBatch -> {
                    TensorFlowModel m = TensorFlowModel.load(DefaultModel.ensure(),
                            TensorFlowModel.Options.defaults().withThreads(2, 1));
                    m.warmUp(maxBatch);
                    return m;
                })) {
            server.awaitReady(Duration.ofMinutes(5));
            LoadGenerator engine = LoadGenerator.builder(Workload.builder(server.baseUri().resolve("/v1/classify"))
                    .payloads(DemoCommand.samples()).build())
                    .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(500)).build()).build();
            CountDownLatch shown = new CountDownLatch(1);
            Dashboard[] d = new Dashboard[1];
            Platform.startup(() -> {
                d[0] = new Dashboard(ControlSource.local(engine), null, Duration.ofMillis(250));
                Stage stage = new Stage();
                stage.setScene(new Scene(d[0], 1280, 800));
                stage.show();
                shown.countDown();
            });
            shown.await();
            // a rising rate: the knee shows on the charts
            Platform.runLater(() -> {
                d[0].rateField.setText("40");
                d[0].setRate.fire();
                d[0].start.fire();
            });
            for (int r : new int[] {40, 80, 120, 160, 200}) {
                Platform.runLater(() -> {
                    d[0].rateField.setText(Integer.toString(r));
                    d[0].setRate.fire();
                });
                Thread.sleep(5000);
            }
            d[0].exportPng(out);
            engine.stop();
            d[0].close();
            Platform.exit();
            System.out.println(out);
        }
    }
}
