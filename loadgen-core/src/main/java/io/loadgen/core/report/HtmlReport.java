package io.loadgen.core.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.loadgen.core.search.SearchFile;
import io.loadgen.core.search.StepsFile;
import io.loadgen.core.search.SweepFile;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Builds {@code report.html} from a results dir: one self-contained file (inline SVG charts drawn by XChart, inline
 * CSS, no script, nothing loaded from the network) with latency p50/p90/p99/max over time, offered vs achieved rate,
 * errors and dropped, in flight, the latency percentile distribution (HdrHistogram style, log x axis) of latency
 * and service time, the latency-vs-throughput curve of a search when the dir holds {@code search.json}, the steps of a
 * stepped run and their knee when it holds {@code steps.json}, and the summary and settings. Latency over time is
 * drawn on a log axis when its p50 and p99 span more than {@value #LOG_AXIS_SPAN}x, so that an overload's tail does not
 * flatten the rest. Needs {@code timeline.csv} and {@code latency.hlog}; {@code summary.json} is optional.
 */
public final class HtmlReport {
    /** The report's file name in a results dir. */
    public static final String FILE = "report.html";
    private static final int W = 900;
    private static final int H = 320;
    /** Latency charts whose values span more than this factor are drawn on a log axis. */
    static final int LOG_AXIS_SPAN = 20;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728),
        new Color(0x2ca02c), new Color(0x9467bd), new Color(0x7f7f7f)};

    private HtmlReport() {
    }

    /**
     * Writes {@code dir/report.html} (atomically).
     *
     * @param dir a results dir
     * @return the report's path
     * @throws IOException if {@code timeline.csv} or {@code latency.hlog} cannot be read, or the report written
     */
    public static Path write(Path dir) throws IOException {
        boolean hasRun = Files.exists(dir.resolve("timeline.csv"));
        SweepFile sweep = Files.exists(dir.resolve(SweepFile.FILE)) ? SweepFile.read(dir.resolve(SweepFile.FILE))
                : null;
        if (!hasRun && !Files.exists(dir.resolve("search.json")) && sweep == null) {
            throw new IOException(dir + " holds none of timeline.csv, search.json and sweep.json");
        }
        Timeline t = hasRun ? Timeline.read(dir.resolve("timeline.csv")) : null;
        SummaryFile summary = Files.exists(dir.resolve(SummaryFile.FILE))
                ? SummaryFile.read(dir.resolve(SummaryFile.FILE)) : null;
        double warmup = summary == null ? 0 : summary.warmupS();
        Histogram[] hist = hasRun ? histograms(dir.resolve("latency.hlog"), warmup) : null;
        SearchFile search = Files.exists(dir.resolve(SearchFile.FILE))
                ? SearchFile.read(dir.resolve(SearchFile.FILE)) : null;
        StepsFile steps = Files.exists(dir.resolve(StepsFile.FILE)) ? StepsFile.read(dir.resolve(StepsFile.FILE))
                : null;

        StringBuilder html = new StringBuilder(64 * 1024);
        String title = summary != null ? "loadgen report: " + summary.target()
                : search != null ? "loadgen search: " + search.target()
                : sweep != null ? "loadgen sweep: " + sweep.target() : "loadgen report";
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
        html.append("<h1>").append(esc(title)).append("</h1>\n");
        if (summary != null) {
            html.append("<p class=\"sub\">").append(esc(summary.arrival())).append(" arrivals, profile <code>")
                    .append(esc(summary.profile())).append("</code>, ")
                    .append(esc(summary.state())).append(" after ")
                    .append(num(summary.durationS(), 1)).append(" s (warm-up ")
                    .append(num(warmup, 1)).append(" s left out), started ").append(esc(summary.start()))
                    .append("</p>\n");
            verdict(html, summary.verdict());
        }
        if (steps != null) {
            html.append("<p class=\"knee\">").append(esc(capitalized(steps.knee()))).append(".</p>\n");
        }
        if (summary != null) {
            summaryTables(html, summary);
        }
        if (summary != null && "closed".equals(summary.mode())) {
            html.append("<p class=\"note\">A closed loop (" + summary.concurrency() + " sessions): latency is measured"
                    + " from each request's <b>actual</b> send, as there is no intended time; service time from the"
                    + " moment it had its connection.</p>\n");
        } else {
            html.append("<p class=\"note\">Latency is measured from each request's <b>intended</b> send time (open"
                    + " loop, coordinated-omission-correct); service time from the moment it had its connection.</p>\n");
        }
        if (search != null) {
            searchTable(html, search);
            searchCurve(html, search);
        }
        if (sweep != null) {
            sweepTable(html, sweep);
            sweepCurve(html, sweep);
        }
        if (steps != null) {
            stepsTable(html, steps);
            stepsCurve(html, steps);
        }
        if (hasRun) {
            runCharts(html, t, hist, summary != null && summary.checks() != null);
        }
        if (summary != null && summary.settings() != null && !summary.settings().isEmpty()) {
            html.append("<h2>Settings</h2>\n<table>");
            for (Map.Entry<String, String> e : summary.settings().entrySet()) {
                html.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue()))
                        .append("</td></tr>");
            }
            html.append("</table>\n");
        }
        html.append("<p class=\"note\">Made by loadgen from <code>timeline.csv</code> and <code>latency.hlog</code>;"
                + " <code>loadgen report DIR</code> rebuilds it.</p>\n</body></html>\n");

        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        return Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** @param checked whether the run checked its answers (--check): then the pass-ratio chart is drawn */
    private static void runCharts(StringBuilder html, Timeline t, Histogram[] hist, boolean checked)
            throws IOException {
        double[] x = t.ends();
        double[] scheduled = t.column("scheduled");
        int lastScheduling = scheduled.length - 1;
        while (lastScheduling > 0 && scheduled[lastScheduling] == 0) {
            lastScheduling--;
        }
        double[] xRates = java.util.Arrays.copyOf(x, lastScheduling + 1);
        double[][] latency = {t.column("p50_ms"), t.column("p90_ms"), t.column("p99_ms"), t.column("max_ms")};
        // the middle and the tail decide, not the max alone: a spike does not make the chart logarithmic
        boolean log = spansMoreThan(LOG_AXIS_SPAN, latency[0], latency[2]);
        chart(html, log ? "Latency over time (log scale)" : "Latency over time", "s", "ms", log, x,
                new String[] {"p50", "p90", "p99", "max"}, latency);
        // rates leave out the drain after the end of scheduling: a short tail interval with nothing offered
        chart(html, "Offered vs achieved rate", "s", "requests/s", xRates,
                new String[] {"target", "offered", "achieved", "ok"}, t.column("target_rate"), t.column("offered_rate"),
                t.column("achieved_rate"), t.column("ok_rate"));
        chart(html, "Errors and dropped per interval", "s", "requests", x,
                new String[] {"errors", "dropped", "connect", "timeout", "http 4xx", "http 5xx"}, t.column("errors"),
                t.column("dropped"), t.column("err_connect"), t.column("err_timeout"), t.column("err_4xx"),
                t.column("err_5xx"));
        double[] checkFailed = t.has("err_check") ? t.column("err_check") : new double[x.length];
        if (checked || java.util.Arrays.stream(checkFailed).anyMatch(v -> v > 0)) {
            // answers checked (--check): the share of each interval's answers that passed every check
            double[] ok = t.column("ok");
            double[] e4 = t.column("err_4xx");
            double[] e5 = t.column("err_5xx");
            double[] ratio = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double answers = ok[i] + checkFailed[i] + e4[i] + e5[i];
                ratio[i] = answers > 0 ? 100 * ok[i] / answers : Double.NaN;
            }
            chart(html, "Checks: answers that passed every check, per interval", "s", "% of answers", x,
                    new String[] {"passed", "failed (check)"}, ratio, checkFailed);
        }
        chart(html, "In flight and queued in the client (end of each interval)", "s", "requests", x,
                new String[] {"in flight", "queued"}, t.column("in_flight"), t.column("queued"));
        percentiles(html, hist[0], hist[1]);
    }

    private static void searchTable(StringBuilder html, SearchFile search) {
        html.append("<h2>Search</h2>\n<p>Highest Poisson arrival rate whose p99 stays within <b>")
                .append(num(search.p99BoundMs(), 1)).append(" ms</b> with at most ")
                .append(num(100 * search.maxErrorRatio(), 2)).append("% errors: <b>")
                .append(num(search.maxRate(), 1)).append(" requests/s</b> (")
                .append(esc(search.confidence())).append(").</p>\n<table><tr><th>trial</th>"
                + "<th>target /s</th><th>offered /s</th><th>achieved /s</th><th>p99 ms</th><th>errors %</th>"
                + "<th>length s</th><th>stable</th><th>result</th><th>generator</th></tr>");
        for (SearchFile.TrialEntry t : search.trials()) {
            html.append("<tr><td>").append(t.number()).append("</td><td>")
                    .append(num(t.targetRate(), 1)).append("</td><td>")
                    .append(num(t.offeredRate(), 1)).append("</td><td>")
                    .append(num(t.achievedRate(), 1)).append("</td><td>")
                    .append(num(t.p99Ms(), 2)).append("</td><td>")
                    .append(num(100 * t.errorRatio(), 2)).append("</td><td>")
                    .append(num(t.lengthS(), 1)).append("</td><td>")
                    .append(t.stable() ? "yes" : "no").append("</td><td>")
                    .append(esc(t.result())).append("</td><td>")
                    .append(t.valid() ? "valid" : esc("INVALID: " + String.join("; ", t.verdictReasons())))
                    .append("</td></tr>");
        }
        html.append("</table>\n");
    }

    private static void sweepTable(StringBuilder html, SweepFile sweep) {
        html.append("<h2>Concurrency sweep</h2>\n<p>Closed loop: each session sends its next request when its previous"
                + " one has ended").append(sweep.thinkTimeMs() > 0 ? " and " + num(sweep.thinkTimeMs(), 1)
                        + " ms of think time have passed" : "")
                .append("; latency is from the actual send (a closed loop has no intended time).</p>\n<table><tr>"
                        + "<th>sessions</th><th>achieved /s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th>"
                        + "<th>max ms</th><th>errors %</th><th>length s</th><th>stable</th><th>generator</th></tr>");
        for (SweepFile.LevelEntry l : sweep.levels()) {
            html.append("<tr><td>").append(l.concurrency()).append("</td><td>").append(num(l.achievedRate(), 1))
                    .append("</td><td>").append(num(l.p50Ms(), 2)).append("</td><td>").append(num(l.p90Ms(), 2))
                    .append("</td><td>").append(num(l.p99Ms(), 2)).append("</td><td>").append(num(l.maxMs(), 2))
                    .append("</td><td>").append(num(100 * l.errorRatio(), 2)).append("</td><td>")
                    .append(num(l.lengthS(), 1)).append("</td><td>").append(l.stable() ? "yes" : "no")
                    .append("</td><td>").append(l.valid() ? "valid"
                            : esc("INVALID: " + String.join("; ", l.verdictReasons()))).append("</td></tr>");
        }
        html.append("</table>\n");
    }

    private static void sweepCurve(StringBuilder html, SweepFile sweep) throws IOException {
        if (sweep.levels().isEmpty()) {
            return;
        }
        double[] x = sweep.levels().stream().mapToDouble(SweepFile.LevelEntry::achievedRate).toArray();
        XYChart c = base("Sweep: latency vs throughput (one point per number of sessions)", "achieved requests/s",
                "ms");
        String[] names = {"p50", "p99"};
        double[][] ys = {sweep.levels().stream().mapToDouble(SweepFile.LevelEntry::p50Ms).toArray(),
            sweep.levels().stream().mapToDouble(SweepFile.LevelEntry::p99Ms).toArray()};
        for (int i = 0; i < names.length; i++) {
            XYSeries s = c.addSeries(names[i], x, ys[i]);
            s.setLineColor(PALETTE[i == 0 ? 0 : 2]);
            s.setMarkerColor(PALETTE[i == 0 ? 0 : 2]);
        }
        svg(html, c);
    }

    /** @return whether the positive values of {@code series} span more than {@code factor} (max / min) */
    static boolean spansMoreThan(double factor, double[]... series) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double[] s : series) {
            for (double v : s) {
                if (v > 0 && Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        return max > 0 && max / min > factor;
    }

    private static void stepsTable(StringBuilder html, StepsFile steps) {
        html.append("<h2>Steps</h2>\n<p>Each step's requests are those due in it, whenever they ended; latency is from"
                + " the intended send. The knee is the highest step whose p99 stayed within <b>")
                .append(num(steps.p99BoundMs(), 1)).append(" ms</b> (").append(esc(steps.bound()))
                .append(") with no request failed").append(steps.checked() ? " (a wrong answer is not a failure"
                        + " here: see accuracy)" : "").append(". 503s counts the answers 429 and 503, with which"
                        + " the server sheds load.</p>\n<table><tr><th>step</th><th>target /s</th><th>offered /s</th>"
                        + "<th>achieved /s</th><th>ok</th>");
        if (steps.checked()) {
            html.append("<th>wrong</th><th>accuracy</th>");
        }
        html.append("<th>p50 ms</th><th>p99 ms</th><th>errors</th><th>503s</th><th>within the bound</th></tr>");
        for (StepsFile.StepEntry e : steps.steps()) {
            boolean knee = steps.kneeStep() != null && steps.kneeStep() == e.step();
            html.append(knee ? "<tr class=\"kneerow\">" : "<tr>").append("<td>").append(e.step())
                    .append(knee ? " (knee)" : "").append("</td><td>").append(num(e.targetRate(), 1))
                    .append("</td><td>").append(num(e.offeredRate(), 1)).append("</td><td>")
                    .append(num(e.achievedRate(), 1)).append("</td><td>").append(e.ok()).append("</td><td>");
            if (steps.checked()) {
                html.append(e.wrong()).append("</td><td>").append(e.accuracy() == null ? "-" : num(e.accuracy(), 4))
                        .append("</td><td>");
            }
            html.append(num(e.p50Ms(), 2)).append("</td><td>").append(num(e.p99Ms(), 2)).append("</td><td>")
                    .append(e.errors()).append("</td><td>").append(e.shed()).append("</td><td>")
                    .append(e.withinBound() ? "yes" : "no").append("</td></tr>");
        }
        html.append("</table>\n");
    }

    private static void stepsCurve(StringBuilder html, StepsFile steps) throws IOException {
        if (steps.steps().isEmpty()) {
            return;
        }
        double[] x = steps.steps().stream().mapToDouble(StepsFile.StepEntry::offeredRate).toArray();
        double[] p50 = steps.steps().stream().mapToDouble(StepsFile.StepEntry::p50Ms).toArray();
        double[] p99 = steps.steps().stream().mapToDouble(StepsFile.StepEntry::p99Ms).toArray();
        boolean log = spansMoreThan(LOG_AXIS_SPAN, p50, p99, new double[] {steps.p99BoundMs()});
        XYChart c = base("Steps: latency vs offered load, one point per step" + (log ? " (log scale)" : ""),
                "offered requests/s", "ms");
        c.getStyler().setYAxisLogarithmic(log);
        String[] names = {"p50", "p99"};
        double[][] ys = {p50, p99};
        for (int i = 0; i < names.length; i++) {
            double[][] xy = finite(x, log ? java.util.Arrays.stream(ys[i]).map(v -> v > 0 ? v : Double.NaN)
                    .toArray() : ys[i]);
            if (xy[0].length == 0) {
                continue;
            }
            XYSeries s = c.addSeries(names[i], xy[0], xy[1]);
            s.setLineColor(PALETTE[i == 0 ? 0 : 2]);
            s.setMarkerColor(PALETTE[i == 0 ? 0 : 2]);
        }
        double max = java.util.Arrays.stream(x).max().orElse(1);
        XYSeries b = c.addSeries("p99 bound", new double[] {0, max}, new double[] {steps.p99BoundMs(),
            steps.p99BoundMs()});
        b.setMarker(SeriesMarkers.NONE);
        b.setLineColor(PALETTE[5]);
        b.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        svg(html, c);
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void verdict(StringBuilder html, SummaryFile.VerdictEntry v) {
        if (v.valid()) {
            html.append("<p class=\"valid\"><b>Generator verdict: VALID</b>: the generator kept its schedule, so"
                    + " these figures are the target's.</p>\n");
            return;
        }
        html.append("<div class=\"invalid\"><b>Generator verdict: INVALID</b>: the generator did not keep its"
                + " schedule, so these figures include its own limits:<ul>");
        for (String r : v.reasons()) {
            html.append("<li>").append(esc(r)).append("</li>");
        }
        html.append("</ul></div>\n");
    }

    /** @return latency and service-time histograms merged over the intervals after the warm-up */
    private static Histogram[] histograms(Path hlog, double warmupSeconds) throws IOException {
        Histogram latency = new Histogram(3);
        Histogram service = new Histogram(3);
        latency.setAutoResize(true);
        service.setAutoResize(true);
        try (HistogramLogReader r = new HistogramLogReader(hlog.toFile())) {
            EncodableHistogram h;
            while ((h = r.nextIntervalHistogram()) != null) {
                if (!(h instanceof Histogram hh) || h.getStartTimeStamp() / 1000.0 - r.getStartTimeSec() < warmupSeconds
                        - 1e-3) {
                    continue;
                }
                if (h.getTag() == null) {
                    latency.add(hh);
                } else if ("service_time".equals(h.getTag())) {
                    service.add(hh);
                }
            }
        }
        return new Histogram[] {latency, service};
    }

    private static void summaryTables(StringBuilder html, SummaryFile s) {
        html.append("<h2>Summary</h2>\n<table class=\"kv\">");
        row(html, "offered", num(s.offeredRate(), 1) + " req/s (" + s.scheduled() + " scheduled)");
        row(html, "achieved", num(s.achievedRate(), 1) + " req/s (" + s.completed() + " completed, " + s.ok()
                + " ok; " + (s.completed() - s.completedBeforeEnd()) + " of them after the end of scheduling)");
        SummaryFile.Errors e = s.errors();
        row(html, "errors", e.total() + " (" + num(100 * s.errorRatio(), 3) + "%: connect " + e.connect()
                + ", timeout " + e.timeout() + ", 4xx " + e.http4xx() + ", 5xx " + e.http5xx() + ", other "
                + e.other() + ", check " + e.check()
                + (e.shed() > 0 ? "; shed by the server (429/503) " + e.shed() : "") + ")");
        if (s.checks() != null) {
            row(html, "checks", s.checks().passed() + " passed, " + s.checks().failed() + " failed (ratio "
                    + (s.checks().ratio() == null ? "-" : num(s.checks().ratio(), 4)) + "; failures by check: "
                    + s.checks().byCheck() + ")");
        }
        row(html, "dropped", Long.toString(s.dropped()));
        row(html, "unfinished", s.unfinished() + " (still in flight when the drain ended)");
        row(html, "waited in the client", Long.toString(s.waited()));
        SummaryFile.Generator g = s.generator();
        row(html, "generator", String.format(Locale.ROOT, "%.2f of %d cores (process %.2f), busiest thread %s %.0f%%,"
                + " %d GC pauses (%.1f ms, longest %.1f ms)", g.generatorCpu(), g.cores(), g.processCpu(),
                g.busiestThread(), 100 * g.busiestThreadCpu(), g.gcPauses(), g.gcPauseTotalMs(), g.gcPauseMaxMs()));
        if (s.selfWarm() != null && !s.selfWarm().isEmpty()) {
            row(html, "self-warm", s.selfWarm());
        }
        html.append("</table>\n<table><tr><th></th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>"
                + "<th>mean</th></tr>");
        latencyRow(html, "latency (from intended send), ms", s.latencyMs());
        latencyRow(html, "service time (from send), ms", s.serviceTimeMs());
        latencyRow(html, "send lag, ms", s.sendLagMs());
        html.append("</table>\n");
    }

    private static void row(StringBuilder html, String k, String v) {
        html.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    private static void latencyRow(StringBuilder html, String name, SummaryFile.Latency l) {
        html.append("<tr><th>").append(esc(name)).append("</th>");
        for (double v : new double[] {l.p50(), l.p90(), l.p99(), l.p999(), l.max(), l.mean()}) {
            html.append("<td>").append(num(v, 3)).append("</td>");
        }
        html.append("</tr>");
    }

    private static void chart(StringBuilder html, String title, String xTitle, String yTitle, double[] x,
            String[] names, double[]... ys) throws IOException {
        chart(html, title, xTitle, yTitle, false, x, names, ys);
    }

    /** @param log a logarithmic y axis: values of 0 or less are left out (nothing to show on it) */
    private static void chart(StringBuilder html, String title, String xTitle, String yTitle, boolean log,
            double[] x, String[] names, double[]... ys) throws IOException {
        XYChart c = base(title, xTitle, yTitle);
        c.getStyler().setYAxisLogarithmic(log);
        boolean any = false;
        for (int i = 0; i < names.length; i++) {
            double[] y = java.util.Arrays.copyOf(ys[i], x.length);
            if (log) {
                y = java.util.Arrays.stream(y).map(v -> v > 0 ? v : Double.NaN).toArray();
            }
            double[][] xy = finite(x, y);
            if (xy[0].length == 0) {
                continue;
            }
            XYSeries s = c.addSeries(names[i], xy[0], xy[1]);
            s.setLineColor(PALETTE[i % PALETTE.length]);
            s.setMarker(SeriesMarkers.NONE);
            any = true;
        }
        if (any) {
            svg(html, c);
        }
    }

    /**
     * The HdrHistogram percentile plot: x = log10(1 / (1 - percentile)), so that 0%, 90%, 99%, 99.9% ... stand at
     * 0, 1, 2, 3 ...
     */
    private static void percentiles(StringBuilder html, Histogram latency, Histogram service) throws IOException {
        if (latency.getTotalCount() == 0) {
            return;
        }
        // XChart's tick calculator loops with a custom label formatter here, so the axis says what its numbers mean.
        XYChart c = base("Latency by percentile (whole run after the warm-up)",
                "percentile, as log10(1 / (1 - p)): 1 = 90%, 2 = 99%, 3 = 99.9%, 4 = 99.99%", "ms");
        addPercentiles(c, "latency (from intended send)", latency, PALETTE[2]);
        if (service.getTotalCount() > 0) {
            addPercentiles(c, "service time (from send)", service, PALETTE[0]);
        }
        svg(html, c);
    }

    private static void addPercentiles(XYChart c, String name, Histogram h, Color color) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            if (p >= 0.999999) {
                break;
            }
            xs.add(Math.log10(1 / (1 - p)));
            ys.add(h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(name, xs.stream().mapToDouble(Double::doubleValue).toArray(),
                ys.stream().mapToDouble(Double::doubleValue).toArray());
        s.setLineColor(color);
        s.setMarker(SeriesMarkers.NONE);
    }

    private static void searchCurve(StringBuilder html, SearchFile search) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (SearchFile.TrialEntry trial : search.trials()) {
            x.add(trial.achievedRate());
            y.add(trial.p99Ms());
        }
        if (x.isEmpty()) {
            return;
        }
        XYChart c = base("Search: p99 latency vs achieved throughput (each trial)", "achieved requests/s",
                "p99 ms");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(8);
        XYSeries s = c.addSeries("trials", x.stream().mapToDouble(Double::doubleValue).toArray(),
                y.stream().mapToDouble(Double::doubleValue).toArray());
        s.setMarkerColor(PALETTE[2]);
        double bound = search.p99BoundMs();
        if (Double.isFinite(bound)) {
            double max = x.stream().mapToDouble(Double::doubleValue).max().orElse(1);
            XYSeries b = c.addSeries("p99 bound", new double[] {0, max}, new double[] {bound, bound});
            b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            b.setMarker(SeriesMarkers.NONE);
            b.setLineColor(PALETTE[5]);
            b.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4},
                    0));
        }
        svg(html, c);
    }

    private static XYChart base(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        Styler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.InsideNW);
        st.setBaseFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setAntiAlias(true);
        st.setChartTitleVisible(false);
        c.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
        return c;
    }

    /**
     * Inlines the chart as SVG in a figure whose caption is its title. VectorGraphics2D draws text as shapes, so the
     * title is HTML text instead of part of the picture: searchable, and read by screen readers.
     */
    private static void svg(StringBuilder html, XYChart c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(c, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        String svg = out.toString(StandardCharsets.UTF_8);
        int start = svg.indexOf("<svg");
        html.append("<figure class=\"chart\"><figcaption>").append(esc(c.getTitle())).append("</figcaption>")
                .append(start >= 0 ? svg.substring(start) : svg).append("</figure>\n");
    }

    private static double[][] finite(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            n += Double.isFinite(x[i]) && Double.isFinite(y[i]) ? 1 : 0;
        }
        double[][] r = new double[2][n];
        int j = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                r[0][j] = x[i];
                r[1][j] = y[i];
                j++;
            }
        }
        return r;
    }

    private static String num(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String trim(String s) {
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String CSS = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;"
            + "max-width:960px;color:#222}h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}"
            + ".sub{color:#555;margin-top:0}.note{color:#666;font-size:13px}table{border-collapse:collapse;"
            + "margin:8px 0}th,td{border:1px solid #ddd;padding:4px 10px;text-align:right;font-size:13px}"
            + "th{background:#f6f6f6;text-align:left}.kv td{text-align:left}.chart{margin:14px 0}figure{margin:18px 0 6px}figcaption{font-weight:600;font-size:14px;margin-bottom:2px}"
            + "code{background:#f3f3f3;padding:1px 4px;overflow-wrap:anywhere}td{overflow-wrap:anywhere}"
            + ".valid{background:#eaf6ea;border-left:4px solid #2ca02c;padding:6px 10px}"
            + ".invalid{background:#fdecea;border-left:4px solid #d62728;padding:6px 10px}.invalid ul{margin:4px 0}"
            + ".knee{background:#eef4fb;border-left:4px solid #1f77b4;padding:6px 10px}.kneerow td{font-weight:600}";
}
