package io.loadgen.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.control.RunState;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.testing.LoopbackServer;
import io.loadgen.rmi.RmiExporter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The dashboard on a real JavaFX scene graph (Monocle, headless) over a real engine and a loopback HTTP server. */
@ExtendWith(ApplicationExtension.class)
class DashboardIT {
    @TempDir
    static Path tmp;
    private static LoopbackServer server;
    private static LoadGenerator engine;
    private static LocalResults results;
    private Dashboard dashboard;

    @Start
    void start(Stage stage) throws Exception {
        server = LoopbackServer.ok();
        results = new LocalResults(tmp.resolve("results"));
        engine = LoadGenerator.builder(Workload.builder(server.uri("/gui")).build())
                .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(250)).build())
                .listener(results)
                .build();
        dashboard = new Dashboard(ControlSource.local(engine), results, Duration.ofMillis(200));
        stage.setScene(new Scene(dashboard, 1280, 800));
        stage.show();
    }

    @AfterEach
    void stop() {
        dashboard.close();
        engine.stop();
        server.close();
    }

    private static void waitFor(Callable<Boolean> c, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.call()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    @Test
    void theControlsDriveTheEngineAndTheChartsFollowIt(FxRobot robot) throws Exception {
        robot.interact(() -> dashboard.rateField.setText("50"));
        robot.clickOn(dashboard.setRate);
        robot.clickOn(dashboard.start);
        waitFor(() -> engine.status().state() == RunState.RUNNING, "the run to start");

        robot.interact(() -> dashboard.rateField.setText("300"));
        robot.clickOn(dashboard.setRate);
        waitFor(() -> engine.currentRate() == 300, "the engine's rate to become 300");

        waitFor(() -> org.testfx.util.WaitForAsyncUtils.asyncFx(() -> dashboard.charts.points()).get() >= 4,
                "points on the charts");
        waitFor(() -> engine.latestInterval().map(i -> i.achievedRate() > 250).orElse(false),
                "the achieved rate to follow");
        assertTrue(dashboard.p99.getText().endsWith("s"), "a p99 readout: " + dashboard.p99.getText());
        waitFor(() -> org.testfx.util.WaitForAsyncUtils.asyncFx(() -> dashboard.verdict.getText()).get()
                .startsWith("generator: "), "the generator's verdict");
        assertTrue(dashboard.verdict.getText().startsWith("generator: VALID")
                || dashboard.verdict.getText().startsWith("generator: INVALID: "), dashboard.verdict.getText());
        assertEquals("connected", dashboard.connection.getText());
        assertTrue(dashboard.title.getText().endsWith(server.uri("/gui").toString()), dashboard.title.getText());

        Path png = tmp.resolve("dashboard.png");
        dashboard.exportPng(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= 1000 && img.getHeight() >= 600, img.getWidth() + "x" + img.getHeight());

        robot.clickOn(dashboard.stop);
        waitFor(() -> engine.status().state() == RunState.ENDED, "the run to stop");
        waitFor(() -> results.lastDir() != null && Files.exists(results.lastDir().resolve("report.html")),
                "the run's results dir");
        for (String f : new String[] {"summary.json", "timeline.csv", "latency.hlog", "report.html"}) {
            assertTrue(Files.exists(results.lastDir().resolve(f)), f);
        }
    }

    /** @return the label's text, read on the FX thread */
    private static String text(javafx.scene.control.Label l) throws Exception {
        return org.testfx.util.WaitForAsyncUtils.asyncFx(l::getText).get(5, TimeUnit.SECONDS);
    }

    @Test
    void theChecksReadoutShowsThePassRatioOfTheAnswersOrNoneWithoutChecks(FxRobot robot) throws Exception {
        robot.clickOn(dashboard.start);
        waitFor(() -> engine.status().state() == RunState.RUNNING, "the run without checks to start");
        waitFor(() -> "none".equals(text(dashboard.checks)), "'none' in the checks readout of a run without checks");
        robot.clickOn(dashboard.stop);
        waitFor(() -> engine.status().state() == RunState.ENDED, "the run without checks to stop");

        // the server answers 200: status==404 fails every answer (error kind check), status==200 passes every one
        Scene scene = dashboard.getScene();
        Pattern failedAll = Pattern.compile("0\\.00% \\((\\d+) failed\\)");
        runWithCheck(robot, scene, "status==404", t -> {
            Matcher m = failedAll.matcher(t);
            return m.matches() && Long.parseLong(m.group(1)) > 0;
        }, "0.00% with some failed");
        runWithCheck(robot, scene, "status==200", "100.00% (0 failed)"::equals, "100.00% (0 failed)");
    }

    /**
     * Runs an engine with one check, on a dashboard of its own (the scene's root), until its checks readout shows
     * what is expected; fails after 20 s with what it shows.
     */
    private static void runWithCheck(FxRobot robot, Scene scene, String check, Predicate<String> expected,
            String what) throws Exception {
        LoadGenerator checked = LoadGenerator.builder(Workload.builder(server.uri("/checked"))
                        .checks(List.of(check)).build())
                .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(250)).build())
                .build();
        Dashboard d = new Dashboard(ControlSource.local(checked), null, Duration.ofMillis(200));
        try {
            robot.interact(() -> scene.setRoot(d));
            robot.clickOn(d.start);
            waitFor(() -> checked.status().state() == RunState.RUNNING, "the run with " + check + " to start");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String shown;
            while (!expected.test(shown = text(d.checks))) {
                assertTrue(System.nanoTime() < end, "timed out waiting for " + what + " in the checks readout of "
                        + check + ": it shows '" + shown + "'; the run's checks: " + checked.summary().checks());
                TimeUnit.MILLISECONDS.sleep(50);
            }
            robot.clickOn(d.stop);
            waitFor(() -> checked.status().state() == RunState.ENDED, "the run with " + check + " to stop");
        } finally {
            d.close();
            checked.stop();
        }
    }

    @Test
    void aClosedLoopIsStartedAndItsSessionsChangedFromTheDashboard(FxRobot robot) throws Exception {
        robot.interact(() -> {
            dashboard.closedLoop.setSelected(true);
            dashboard.sessionsField.setText("2");
        });
        robot.clickOn(dashboard.start);
        waitFor(() -> engine.status().state() == RunState.RUNNING && engine.status().concurrency() == 2,
                "a closed loop of 2 sessions");
        robot.interact(() -> dashboard.sessionsField.setText("5"));
        robot.clickOn(dashboard.setSessions);
        waitFor(() -> engine.status().concurrency() == 5, "5 sessions");
        waitFor(() -> org.testfx.util.WaitForAsyncUtils.asyncFx(() -> dashboard.state.getText()).get()
                .contains("closed loop, 5 sessions"), "the state line to say so");
        robot.interact(() -> dashboard.sessionsField.setText("many"));
        robot.clickOn(dashboard.setSessions);
        waitFor(() -> org.testfx.util.WaitForAsyncUtils.asyncFx(() -> dashboard.message.getText()).get()
                .contains("is not a number of sessions"), "a message about the bad entry");
        robot.clickOn(dashboard.stop);
        waitFor(() -> engine.status().state() == RunState.ENDED, "the run to stop");
    }

    @Test
    void aRemoteEngineIsDrivenOverRmiAndShownDisconnectedWhenItVanishes(FxRobot robot) throws Exception {
        RmiExporter exporter = RmiExporter.export(engine, 0);
        int port = exporter.port();
        Dashboard remote = new Dashboard(ControlSource.remote("127.0.0.1", port, null), null, Duration.ofMillis(200));
        try {
            robot.interact(() -> dashboard.getScene().setRoot(remote));
            waitFor(() -> "connected".equals(remote.connection.getText()), "connected");
            robot.clickOn(remote.start);
            waitFor(() -> engine.status().state() == RunState.RUNNING, "the remote run to start");
            robot.interact(() -> remote.rateField.setText("120"));
            robot.clickOn(remote.setRate);
            waitFor(() -> engine.currentRate() == 120, "the engine's rate to follow the remote dashboard");

            exporter.close();
            waitFor(() -> remote.connection.getText().startsWith("disconnected"), "disconnected");
            exporter = RmiExporter.export(engine, port);
            waitFor(() -> "connected".equals(remote.connection.getText()), "reconnected");
            robot.clickOn(remote.stop);
            waitFor(() -> engine.status().state() == RunState.ENDED, "the remote stop");
        } finally {
            remote.close();
            exporter.close();
        }
    }

    @Test
    void aCoordinatorOfAgentsIsWatchedAndDrivenAsOneEngine(FxRobot robot) throws Exception {
        List<io.loadgen.rmi.fleet.Agent> agents = new java.util.ArrayList<>();
        List<RmiExporter> exporters = new java.util.ArrayList<>();
        List<io.loadgen.rmi.fleet.AgentEndpoint> endpoints = new java.util.ArrayList<>();
        Duration interval = Duration.ofMillis(250);
        for (int i = 0; i < 2; i++) {
            io.loadgen.rmi.fleet.Agent a = new io.loadgen.rmi.fleet.Agent("agent-" + i, flags -> LoadGenerator
                    .builder(Workload.builder(server.uri("/fleet")).build()).engine(EngineConfig.custom()
                            .recordInterval(interval).warmup(io.loadgen.core.engine.Warmup.NONE).build()).build());
            agents.add(a);
            RmiExporter x = RmiExporter.exportAgent(a, 0, java.net.InetAddress.getLoopbackAddress(), null, null);
            exporters.add(x);
            endpoints.add(new io.loadgen.rmi.fleet.AgentEndpoint("127.0.0.1", x.port()));
        }
        io.loadgen.rmi.fleet.Coordinator fleet = io.loadgen.rmi.fleet.Coordinator.connect(
                io.loadgen.rmi.fleet.CoordinatorConfig.builder(endpoints, List.of(), server.uri("/fleet").toString(),
                        interval).lead(Duration.ofMillis(500)).build());
        RmiExporter served = RmiExporter.export(fleet, 0);
        Dashboard remote = new Dashboard(ControlSource.remote("127.0.0.1", served.port(), null), null,
                Duration.ofMillis(200));
        try {
            robot.interact(() -> dashboard.getScene().setRoot(remote));
            waitFor(() -> "connected".equals(remote.connection.getText()), "connected to the coordinator");
            robot.interact(() -> remote.rateField.setText("200"));
            robot.clickOn(remote.setRate);
            robot.clickOn(remote.start);
            waitFor(() -> fleet.status().state() == RunState.RUNNING, "the fleet's run to start");
            waitFor(() -> fleet.latestInterval().map(i -> i.achievedRate() > 170).orElse(false),
                    "the merged rate of both agents");
            waitFor(() -> org.testfx.util.WaitForAsyncUtils.asyncFx(() -> remote.title.getText()).get()
                    .contains("(2 agents)"), "the title naming the fleet");
            waitFor(() -> {
                String a = org.testfx.util.WaitForAsyncUtils.asyncFx(() -> remote.achieved.getText()).get();
                Matcher m = Pattern.compile("([0-9.]+)").matcher(a);
                return m.find() && Double.parseDouble(m.group(1)) > 170;
            }, "the achieved readout to show the merged window (two agents of 100/s each)");
            for (io.loadgen.rmi.fleet.Agent a : agents) {
                assertEquals(100, a.currentRate(), 1e-9, "each agent runs its half");
            }
            robot.clickOn(remote.stop);
            waitFor(() -> fleet.status().state() == RunState.ENDED, "the fleet to stop");
            assertTrue(agents.stream().allMatch(a -> a.status().state() == RunState.ENDED), "every agent stopped");
        } finally {
            remote.close();
            served.close();
            fleet.close();
            exporters.forEach(RmiExporter::close);
            agents.forEach(io.loadgen.rmi.fleet.Agent::close);
        }
    }
}
