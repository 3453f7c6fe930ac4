package io.loadgen.core.report;

import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.config.ChronoDurations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a results dir as a run goes: {@code timeline.csv} (one row per interval) and {@code latency.hlog} (the
 * HdrHistogram interval log: untagged histograms are latency from the intended send time, tagged
 * {@code service_time} and {@code send_lag} the others, all in microseconds) are appended and flushed each interval,
 * so an interrupted run keeps every interval it closed; {@link #finish} writes {@code summary.json}.
 *
 * <p>Threading: {@link #onInterval} is called on the run's interval clock, which must not wait for a disk; it hands
 * the interval to a thread of this writer's own ({@code loadgen-results}), which writes the intervals in order. The
 * histograms it is given are read-only and kept until written. {@link #finish} and {@link #close} wait for the
 * intervals handed over before them to be written (at most {@value #DRAIN_SECONDS} s), then close the files; they may
 * be called from any thread.
 */
public final class ResultsWriter implements IntervalListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsWriter.class);
    /** Column names of {@code timeline.csv}. */
    public static final String TIMELINE_HEADER = "interval,start,elapsed_s,length_s,target_rate,offered_rate,"
            + "achieved_rate,ok_rate,scheduled,sent,completed,ok,errors,err_connect,err_timeout,err_4xx,err_5xx,"
            + "err_other,dropped,in_flight,queued,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,mean_ms,"
            + "service_p50_ms,service_p99_ms,send_lag_p99_ms,send_lag_max_ms,phase,unfinished,waited,concurrency,"
            + "err_check,err_shed";

    private final Path dir;
    private final Map<String, String> settings;
    private final BufferedWriter timeline;
    private final PrintStream hlogStream;
    private final HistogramLogWriter hlog;
    /** Longest wait of {@link #finish} for the intervals handed over to be written, seconds. */
    static final int DRAIN_SECONDS = 60;

    private final ExecutorService writer;
    private Instant firstStart;
    private volatile boolean finished;
    private boolean hlogFailed;

    /**
     * Creates the directory (and parents) and opens the interval files.
     *
     * @param dir the results dir
     * @param settings the run's settings, echoed into {@code summary.json}
     * @throws UncheckedIOException if the files cannot be created
     */
    public ResultsWriter(Path dir, Map<String, String> settings) {
        this(dir, settings, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "loadgen-results");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param writer the one thread that writes the intervals (a test's, to hold them back) */
    ResultsWriter(Path dir, Map<String, String> settings, ExecutorService writer) {
        this.writer = writer;
        this.dir = dir;
        this.settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        try {
            Files.createDirectories(dir);
            this.timeline = Files.newBufferedWriter(dir.resolve("timeline.csv"));
            timeline.write(TIMELINE_HEADER);
            timeline.newLine();
            timeline.flush();
            this.hlogStream = new PrintStream(Files.newOutputStream(dir.resolve("latency.hlog")), false, "UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create results in " + dir, e);
        }
        this.hlog = new HistogramLogWriter(hlogStream);
        hlog.outputComment("loadgen latency log: values in microseconds; untagged = latency from the intended send"
                + " time, tag service_time = from the actual send, tag send_lag = dispatch minus intended time");
        hlog.outputLogFormatVersion();
    }

    /** @return the results dir */
    public Path dir() {
        return dir;
    }

    @Override
    public void onInterval(IntervalStats s, IntervalHistograms h) {
        if (finished) {
            return;
        }
        try {
            writer.execute(() -> write(s, h));
        } catch (RejectedExecutionException ended) {
            // finished meanwhile: the interval came after the summary
        }
    }

    /** Writes one interval: on the writer's thread alone. */
    private void write(IntervalStats s, IntervalHistograms h) {
        try {
            if (firstStart == null) {
                firstStart = s.start();
                hlog.outputStartTime(s.start().toEpochMilli());
                hlog.setBaseTime(s.start().toEpochMilli());
                hlog.outputBaseTime(s.start().toEpochMilli());
                hlog.outputLegend();
            }
            timeline.write(row(s));
            timeline.newLine();
            timeline.flush();
            // HistogramLogWriter writes the times as given and readers add the BaseTime: write them relative to it.
            double startSec = (s.start().toEpochMilli() - firstStart.toEpochMilli()) / 1000.0;
            double endSec = startSec + ChronoDurations.seconds(s.length());
            hlog.outputIntervalHistogram(startSec, endSec, h.latency(), 1000.0);
            hlog.outputIntervalHistogram(startSec, endSec, tagged(h.serviceTime(), "service_time"), 1000.0);
            hlog.outputIntervalHistogram(startSec, endSec, tagged(h.sendLag(), "send_lag"), 1000.0);
            hlogStream.flush();
            // A PrintStream keeps its I/O errors to itself: ask for them.
            if (hlogStream.checkError() && !hlogFailed) {
                hlogFailed = true;
                LOG.error("cannot write {}: an I/O error from interval {} on; the other files go on",
                        dir.resolve("latency.hlog"), s.index());
            }
        } catch (IOException e) {
            LOG.error("cannot write interval {} to {}", s.index(), dir, e);
        }
    }

    private static Histogram tagged(Histogram h, String tag) {
        Histogram c = h.copy();
        c.setTag(tag);
        return c;
    }

    private String row(IntervalStats s) {
        double elapsed = firstStart == null ? 0
                : (s.start().toEpochMilli() - firstStart.toEpochMilli()) / 1000.0;
        var c = s.counts();
        var e = c.errors();
        return String.join(",",
                Long.toString(s.index()), s.start().toString(), num(elapsed), num(ChronoDurations.seconds(s.length())),
                num(s.targetRate()), num(s.offeredRate()), num(s.achievedRate()), num(s.okRate()),
                Long.toString(c.scheduled()), Long.toString(c.sent()), Long.toString(c.completed()),
                Long.toString(c.ok()), Long.toString(e.total()), Long.toString(e.connect()),
                Long.toString(e.timeout()), Long.toString(e.http4xx()), Long.toString(e.http5xx()),
                Long.toString(e.other()), Long.toString(c.dropped()), Integer.toString(s.inFlight()),
                Integer.toString(s.queued()),
                ms(s.latency().p50()), ms(s.latency().p90()), ms(s.latency().p99()), ms(s.latency().p999()),
                ms(s.latency().max()), ms(s.latency().mean()),
                ms(s.serviceTime().p50()), ms(s.serviceTime().p99()),
                ms(s.sendLag().p99()), ms(s.sendLag().max()), s.warmup() ? "warmup" : "measured",
                Long.toString(c.unfinished()), Long.toString(c.waited()), Integer.toString(s.concurrency()),
                Long.toString(e.check()), Long.toString(e.shed()));
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ms(java.time.Duration d) {
        return num(ChronoDurations.millis(d));
    }

    /**
     * Writes {@code summary.json} (atomically: to a temporary file, then renamed) and closes the interval files.
     * Later calls do nothing.
     *
     * @param summary the run's summary
     * @return the path of {@code summary.json}
     */
    public synchronized Path finish(RunSummary summary) {
        return finish(summary, List.of());
    }

    /**
     * Writes {@code summary.json} of a run over many agents, with each agent's entry, and closes the files; later
     * calls do nothing.
     *
     * @param summary the merged summary
     * @param agents each agent's entry
     * @return the path of {@code summary.json}
     */
    public synchronized Path finish(RunSummary summary, List<SummaryFile.AgentEntry> agents) {
        Path out = dir.resolve(SummaryFile.FILE);
        if (finished) {
            return out;
        }
        finished = true;
        drain();
        try {
            SummaryFile.of(summary, settings).withAgents(agents).write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        } finally {
            closeFiles();
        }
        return out;
    }

    private void closeFiles() {
        try {
            timeline.close();
        } catch (IOException e) {
            LOG.warn("closing timeline.csv failed", e);
        }
        hlog.close();
    }

    @Override
    public synchronized void close() {
        if (!finished) {
            finished = true;
            drain();
            closeFiles();
        }
    }

    /**
     * Waits for the intervals handed over to be written, and ends the writer's thread. An interrupt (Ctrl-C's
     * shutdown hook may come on an interrupted thread) does not cut the wait short: an interrupted run still writes
     * its results; the interrupt is kept for the caller.
     */
    private void drain() {
        writer.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        boolean interrupted = false;
        while (true) {
            try {
                if (!writer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.error("the results in {} were not all written within {} s: the last intervals may be"
                            + " missing", dir, DRAIN_SECONDS);
                    writer.shutdownNow();
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
