package io.loadgen.gui;

import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.config.ChronoDurations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

/**
 * The four live charts over the sliding window: latency p50/p90/p99/max (ms, or log10 ms), offered vs achieved rate,
 * errors and dropped, in flight and queued. X is seconds since the run started. Touched on the FX thread only.
 */
final class LiveCharts extends GridPane {
    final LineChart<Number, Number> latency = chart("latency (ms)");
    final LineChart<Number, Number> rate = chart("requests/s");
    final LineChart<Number, Number> errors = chart("per interval");
    final LineChart<Number, Number> inFlight = chart("requests");
    private final List<XYChart.Series<Number, Number>> latencySeries = series(latency, "p50", "p90", "p99", "max");
    private final List<XYChart.Series<Number, Number>> rateSeries = series(rate, "target", "offered", "achieved");
    private final List<XYChart.Series<Number, Number>> errorSeries = series(errors, "errors", "dropped");
    private final List<XYChart.Series<Number, Number>> inFlightSeries = series(inFlight, "in flight", "queued");
    private boolean logScale;

    LiveCharts() {
        latency.setTitle("Latency from intended send");
        rate.setTitle("Offered vs achieved");
        errors.setTitle("Errors and dropped");
        inFlight.setTitle("In flight");
        add(latency, 0, 0);
        add(rate, 1, 0);
        add(errors, 0, 1);
        add(inFlight, 1, 1);
        for (LineChart<Number, Number> c : List.of(latency, rate, errors, inFlight)) {
            GridPane.setHgrow(c, Priority.ALWAYS);
            GridPane.setVgrow(c, Priority.ALWAYS);
        }
    }

    private static LineChart<Number, Number> chart(String yLabel) {
        NumberAxis x = new NumberAxis();
        x.setLabel("s");
        x.setForceZeroInRange(false);
        NumberAxis y = new NumberAxis();
        y.setLabel(yLabel);
        LineChart<Number, Number> c = new LineChart<>(x, y);
        c.setAnimated(false);
        c.setCreateSymbols(false);
        c.setPrefSize(460, 240);
        return c;
    }

    private static List<XYChart.Series<Number, Number>> series(LineChart<Number, Number> c, String... names) {
        List<XYChart.Series<Number, Number>> list = new ArrayList<>();
        for (String n : names) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName(n);
            c.getData().add(s);
            list.add(s);
        }
        return list;
    }

    /** Shows latency as log10 of milliseconds (for runs whose tail spans orders of magnitude). */
    void setLogScale(boolean on) {
        logScale = on;
        ((NumberAxis) latency.getYAxis()).setLabel(on ? "log10(latency ms)" : "latency (ms)");
    }

    /** @return the number of points in the latency p99 series (for tests and readouts) */
    int points() {
        return latencySeries.get(2).getData().size();
    }

    /** Replaces every series with the window's intervals. */
    void show(List<IntervalStats> window, Instant runStart) {
        List<List<XYChart.Data<Number, Number>>> lat = empty(4);
        List<List<XYChart.Data<Number, Number>>> rt = empty(3);
        List<List<XYChart.Data<Number, Number>>> err = empty(2);
        List<List<XYChart.Data<Number, Number>>> fl = empty(2);
        for (IntervalStats s : window) {
            double x = ChronoDurations.seconds(java.time.Duration.between(runStart, s.start().plus(s.length())));
            lat.get(0).add(new XYChart.Data<>(x, ms(s.latency().p50())));
            lat.get(1).add(new XYChart.Data<>(x, ms(s.latency().p90())));
            lat.get(2).add(new XYChart.Data<>(x, ms(s.latency().p99())));
            lat.get(3).add(new XYChart.Data<>(x, ms(s.latency().max())));
            rt.get(0).add(new XYChart.Data<>(x, s.targetRate()));
            rt.get(1).add(new XYChart.Data<>(x, s.offeredRate()));
            rt.get(2).add(new XYChart.Data<>(x, s.achievedRate()));
            err.get(0).add(new XYChart.Data<>(x, s.counts().errors().total()));
            err.get(1).add(new XYChart.Data<>(x, s.counts().dropped()));
            fl.get(0).add(new XYChart.Data<>(x, s.inFlight()));
            fl.get(1).add(new XYChart.Data<>(x, s.queued()));
        }
        set(latencySeries, lat);
        set(rateSeries, rt);
        set(errorSeries, err);
        set(inFlightSeries, fl);
    }

    private double ms(java.time.Duration d) {
        double v = ChronoDurations.millis(d);
        return logScale ? Math.log10(Math.max(v, 0.001)) : v;
    }

    private static List<List<XYChart.Data<Number, Number>>> empty(int n) {
        List<List<XYChart.Data<Number, Number>>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new ArrayList<>());
        }
        return l;
    }

    private static void set(List<XYChart.Series<Number, Number>> series, List<List<XYChart.Data<Number, Number>>> d) {
        for (int i = 0; i < series.size(); i++) {
            series.get(i).getData().setAll(d.get(i));
        }
    }
}
