package io.loadgen.gui;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.CheckCounts;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.Verdict;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfile;
import io.loadgen.core.schedule.RateProfiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TextField;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard: live charts and readouts of a {@link LoadControl}'s sliding window, and controls that apply at once
 * (start, stop, rate by slider or exact entry, arrival process, profile). The FX thread never waits on the engine or
 * the network: a poller thread reads the window every {@code poll}, an action thread sends commands, and both hand
 * results to the FX thread. A remote engine that vanishes shows as disconnected and is reconnected on the next poll.
 */
public final class Dashboard extends BorderPane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

    private final ControlSource source;
    private final LocalResults results;
    private final ScheduledExecutorService poller;
    private final ExecutorService actions;
    final LiveCharts charts = new LiveCharts();
    final Label title = new Label();
    final Label state = new Label("connecting ...");
    final Label connection = new Label();
    final Label p99 = readout();
    final Label achieved = readout();
    final Label errorPct = readout();
    final Label sendLag = readout();
    /** The answers against the run's checks: the pass ratio (the window's, else the run's) and the run's failures. */
    final Label checks = readout();
    final Slider rateSlider = new Slider(0, 1000, 100);
    final TextField rateField = new TextField("100");
    final Button setRate = new Button("Set rate");
    final TextField profileField = new TextField();
    final Button applyProfile = new Button("Apply profile");
    final ChoiceBox<String> arrival = new ChoiceBox<>();
    final Button start = new Button("Start");
    final Button stop = new Button("Stop");
    final CheckBox logScale = new CheckBox("log latency");
    /** Start a closed loop (sessions) instead of a rate. */
    final CheckBox closedLoop = new CheckBox("closed loop");
    final TextField sessionsField = new TextField("4");
    final Button setSessions = new Button("Set sessions");
    final Label message = new Label();
    /** The generator's verdict on the current or last run: whether its figures are the target's. */
    final Label verdict = new Label();
    private volatile RunState lastState;
    private volatile boolean finished;

    /**
     * Where the controls start.
     *
     * @param rate the rate Start sends at, per second, {@code >= 0}
     * @param maxRate the rate slider's top, {@code > 0} (a typed rate above it raises it)
     * @param note a line to show until the first command's answer, e.g. what was started for the dashboard
     */
    public record Preset(double rate, double maxRate, java.util.Optional<String> note) {
        /** The controls' defaults: 100/s on a slider to 1,000/s, no note. */
        public static final Preset DEFAULT = new Preset(100, 1000, java.util.Optional.empty());

        public Preset {
            if (!(rate >= 0) || !(maxRate > 0) || note == null) {
                throw new IllegalArgumentException("a preset needs a rate >= 0 and a slider top > 0, got " + rate
                        + " and " + maxRate);
            }
        }
    }

    /**
     * @param source the engine
     * @param results where a local engine's runs are written, or {@code null} (remote)
     * @param poll how often to read the engine, e.g. the recording interval
     */
    public Dashboard(ControlSource source, LocalResults results, Duration poll) {
        this.source = source;
        this.results = results;
        this.poller = Executors.newSingleThreadScheduledExecutor(daemon("dashboard-poller"));
        this.actions = Executors.newSingleThreadExecutor(daemon("dashboard-actions"));
        setTop(top());
        // ids for tests and stylesheets: #start, #stop, #rate, #message, #p99, #achieved, #errors, #send-lag, ...
        start.setId("start");
        stop.setId("stop");
        rateField.setId("rate");
        setRate.setId("set-rate");
        message.setId("message");
        p99.setId("p99");
        achieved.setId("achieved");
        errorPct.setId("errors");
        sendLag.setId("send-lag");
        checks.setId("checks");
        verdict.setId("verdict");
        state.setId("state");
        setCenter(charts);
        setBottom(message);
        BorderPane.setMargin(message, new Insets(4, 8, 4, 8));
        poller.scheduleWithFixedDelay(this::poll, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sets where the controls start (on the FX thread): the rate Start sends at, the slider's top, a note. */
    public void preset(Preset p) {
        rateSlider.setMax(Math.max(p.maxRate(), p.rate()));
        rateSlider.setValue(p.rate());
        rateSlider.setMajorTickUnit(niceTick(rateSlider.getMax()));
        rateField.setText(String.format(Locale.ROOT, p.rate() == Math.rint(p.rate()) ? "%.0f" : "%.1f", p.rate()));
        p.note().ifPresent(message::setText);
    }

    /** @return a tick unit that gives the slider 4 to 10 labelled ticks up to {@code max} */
    static double niceTick(double max) {
        double unit = Math.pow(10, Math.floor(Math.log10(max)));
        for (double f : new double[] {0.1, 0.2, 0.25, 0.5, 1, 2, 5}) {
            if (max / (unit * f) <= 10) {
                return unit * f;
            }
        }
        return unit * 10;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static Label readout() {
        Label l = new Label("-");
        l.setStyle("-fx-font-size: 22px; -fx-font-weight: bold;");
        return l;
    }

    private VBox top() {
        arrival.getItems().addAll("poisson", "constant");
        arrival.setValue("poisson");
        rateSlider.setPrefWidth(260);
        rateSlider.setShowTickLabels(true);
        rateField.setPrefColumnCount(7);
        profileField.setPromptText("steps:100@10s,200@10s");
        profileField.setPrefColumnCount(18);
        rateSlider.valueChangingProperty().addListener((obs, was, changing) -> {
            if (!changing) {
                rateField.setText(String.format(Locale.ROOT, "%.0f", rateSlider.getValue()));
                sendRate(rateSlider.getValue());
            }
        });
        setRate.setOnAction(e -> {
            try {
                double r = Double.parseDouble(rateField.getText().trim());
                if (r > rateSlider.getMax()) {
                    rateSlider.setMax(r * 2);
                }
                rateSlider.setValue(r);
                sendRate(r);
            } catch (NumberFormatException ex) {
                message.setText("'" + rateField.getText() + "' is not a rate: give requests per second");
            }
        });
        applyProfile.setOnAction(e -> {
            String spec = profileField.getText();
            act("profile " + spec, c -> c.setProfile(RateProfiles.parse(spec)));
        });
        start.setOnAction(e -> {
            finished = false;
            if (closedLoop.isSelected()) {
                Integer n = sessions();
                if (n != null) {
                    act("start " + n + " sessions", c -> c.start(RunPlan.closed(n, Duration.ZERO, null, 0)));
                }
                return;
            }
            RateProfile p = profileField.getText().isBlank() ? new ConstantRate(rateSlider.getValue())
                    : RateProfiles.parse(profileField.getText());
            Arrival a = Arrival.valueOf(arrival.getValue().toUpperCase(Locale.ROOT));
            act("start", c -> c.start(new RunPlan(p, a, System.nanoTime(), null)));
        });
        sessionsField.setPrefColumnCount(5);
        setSessions.setOnAction(e -> {
            Integer n = sessions();
            if (n != null) {
                act("sessions " + n, c -> c.setConcurrency(n));
            }
        });
        stop.setOnAction(e -> act("stop", LoadControl::stop));
        logScale.setOnAction(e -> charts.setLogScale(logScale.isSelected()));
        Button png = new Button("Save PNG");
        png.setOnAction(e -> {
            Path file = Path.of("dashboard-" + System.currentTimeMillis() + ".png");
            try {
                exportPng(file);
                message.setText("saved " + file.toAbsolutePath());
            } catch (IOException ex) {
                message.setText("cannot save " + file + ": " + ex.getMessage());
            }
        });

        title.setText("loadgen: " + source.describe());
        title.setStyle("-fx-font-weight: bold;");
        HBox heading = new HBox(12, title, state, connection);
        HBox controls = new HBox(8, start, stop, new Label("rate /s"), rateSlider, rateField, setRate,
                new Label("arrival"), arrival);
        HBox more = new HBox(8, new Label("profile"), profileField, applyProfile, closedLoop, new Label("sessions"),
                sessionsField, setSessions, logScale, png);
        for (HBox row : new HBox[] {controls, more}) {
            row.setAlignment(Pos.CENTER_LEFT);
            row.getChildren().forEach(n -> {
                if (n instanceof javafx.scene.control.Control c) {
                    c.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
                }
            });
        }
        HBox readouts = new HBox(28, labelled("p99 (window)", p99), labelled("achieved /s", achieved),
                labelled("errors", errorPct), labelled("send lag p99", sendLag), labelled("checks", checks));
        verdict.setWrapText(true);
        VBox box = new VBox(6, heading, controls, more, readouts, verdict);
        box.setPadding(new Insets(8));
        return box;
    }

    private static VBox labelled(String name, Label value) {
        return new VBox(0, new Label(name), value);
    }

    /** @return the sessions typed, or null (with a message) when they are not a number */
    private Integer sessions() {
        try {
            return Integer.parseInt(sessionsField.getText().trim());
        } catch (NumberFormatException ex) {
            message.setText("'" + sessionsField.getText() + "' is not a number of sessions");
            return null;
        }
    }

    private void sendRate(double r) {
        act(String.format(Locale.ROOT, "rate %.1f/s", r), c -> c.setRate(r));
    }

    /** A command to the engine. */
    @FunctionalInterface
    private interface Command {
        void run(LoadControl c);
    }

    private void act(String what, Command command) {
        actions.submit(() -> {
            try {
                command.run(source.get());
                Platform.runLater(() -> message.setText(what + ": done"));
            } catch (RuntimeException e) {
                LOG.debug("{} failed", what, e);
                if (e instanceof io.loadgen.rmi.RemoteControlException) {
                    source.reset();
                }
                Platform.runLater(() -> message.setText(what + " failed: " + e.getMessage()));
            }
        });
    }

    private void poll() {
        try {
            LoadControl c = source.get();
            RunStatus s = c.status();
            WindowStats w = c.window();
            if (s.state() == RunState.ENDED && lastState != RunState.ENDED && results != null && !finished) {
                finished = true;
                Path dir = results.finish(c.summary());
                if (dir != null) {
                    Platform.runLater(() -> message.setText("results: " + dir.toAbsolutePath()));
                }
            }
            lastState = s.state();
            RunSummary sum = s.state() == RunState.IDLE ? null : c.summary();
            Platform.runLater(() -> {
                show(s, w);
                showVerdict(sum);
                showChecks(sum, w);
            });
        } catch (RuntimeException e) {
            source.reset();
            Platform.runLater(() -> {
                connection.setText("disconnected: " + e.getMessage());
                connection.setStyle("-fx-text-fill: #c0392b;");
            });
        }
    }

    private void showVerdict(RunSummary sum) {
        if (sum == null || sum.intervals() == 0) {
            verdict.setText("");
            return;
        }
        Verdict v = sum.verdict();
        verdict.setText(v.valid() ? "generator: VALID (it kept its schedule)"
                : "generator: INVALID: " + String.join("; ", v.reasons()));
        verdict.setStyle(v.valid() ? "-fx-text-fill: #2e7d32;" : "-fx-text-fill: #c0392b; -fx-font-weight: bold;");
    }

    /**
     * The checks readout: the pass ratio of the window when it checked any answer, else of the run so far, and the
     * run's failed answers (a failed check or an HTTP error, as {@link CheckCounts} counts them).
     */
    private void showChecks(RunSummary sum, WindowStats w) {
        if (sum == null) {
            checks.setText("-");
            return;
        }
        CheckCounts run = sum.checks();
        if (!run.enabled()) {
            checks.setText("none");
            return;
        }
        double ratio = run.ratio();
        if (w.aggregate() != null) {
            double inWindow = CheckCounts.of(w.aggregate().counts(), java.util.Map.of()).ratio();
            ratio = Double.isNaN(inWindow) ? ratio : inWindow;
        }
        checks.setText(Double.isNaN(ratio) ? "- (" + run.failed() + " failed)"
                : String.format(Locale.ROOT, "%.2f%% (%d failed)", 100 * ratio, run.failed()));
    }

    private void show(RunStatus s, WindowStats w) {
        connection.setText("connected");
        connection.setStyle("-fx-text-fill: #2e7d32;");
        title.setText("loadgen: " + source.describe() + " -> " + s.target());
        state.setText(s.state().name().toLowerCase(Locale.ROOT) + ", " + (s.concurrency() > 0
                ? "closed loop, " + s.concurrency() + " sessions" : s.profile() + ", "
                + String.format(Locale.ROOT, "%.1f/s now", s.currentRate())));
        if (w.intervals().isEmpty()) {
            return;
        }
        IntervalStats first = w.intervals().get(0);
        Instant runStart = first.start().minus(first.length().multipliedBy(first.index()));
        charts.show(w.intervals(), runStart);
        IntervalStats a = w.aggregate();
        p99.setText(ChronoDurations.format(a.latency().p99()));
        achieved.setText(String.format(Locale.ROOT, "%.1f", a.achievedRate()));
        errorPct.setText(String.format(Locale.ROOT, "%.2f%%", 100 * a.errorRatio()));
        sendLag.setText(ChronoDurations.format(a.sendLag().p99()));
    }

    /**
     * Saves the charts and readouts as a PNG. May be called from any thread.
     *
     * @throws IOException if the file cannot be written
     */
    public void exportPng(Path file) throws IOException {
        AtomicReference<WritableImage> image = new AtomicReference<>();
        if (Platform.isFxApplicationThread()) {
            image.set(snapshot(null, null));
        } else {
            CountDownLatch done = new CountDownLatch(1);
            Platform.runLater(() -> {
                image.set(snapshot(null, null));
                done.countDown();
            });
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        ImageIO.write(SwingFXUtils.fromFXImage(image.get(), null), "png", file.toFile());
    }

    /** Stops polling; the engine is left as it is. */
    @Override
    public void close() {
        poller.shutdownNow();
        actions.shutdownNow();
    }
}
