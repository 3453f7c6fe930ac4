package io.loadgen.cli;

import io.loadgen.core.config.LoadGenConfig;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.Payload;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.report.Assertion;
import io.loadgen.core.report.ResultsWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen run}: drives a target open-loop and writes a results dir. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drive a target URL open-loop at a rate or profile; print a live line each interval and write"
                + " a results dir (summary.json, timeline.csv, latency.hlog).",
                "Flags override LOADGEN_* environment variables, which override the configuration file.",
                "Exit code: 0 ok, 1 an assertion failed, 2 bad flags or configuration."})
public final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (default: the shipped"
            + " conf/sys.properties, or -Dloadgen.conf).")
    Path config;

    @Option(names = "--target", paramLabel = "URL", description = "Target URL (default: imageClassifyBaseURL).")
    String target;

    @Option(names = "--rate", paramLabel = "N", description = "Requests per second when no profile is given.")
    String rate;

    @Option(names = "--arrival", paramLabel = "poisson|constant", description = "Arrival process.")
    String arrival;

    @Option(names = "--profile", paramLabel = "SPEC", description = "Rate profile: steps:100@10s,200@10s |"
            + " ramp:10..1000@60s | sine:500,300,30s | trace:rates=FILE | trace:timestamps=FILE.")
    String profile;

    @Option(names = "--duration", paramLabel = "DUR", description = "How long to schedule requests (0: the"
            + " profile's length, or until Ctrl-C).")
    String duration;

    @Option(names = "--warmup", paramLabel = "DUR", description = "Start of the run left out of the summary (JIT,"
            + " caches and connections warm up); still shown live and in timeline.csv.")
    String warmup;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of Poisson arrivals and random payload order.")
    String seed;

    @Option(names = "--method", paramLabel = "M", description = "HTTP method (default GET, or POST with a body).")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", description = "Request header; values may"
            + " hold ${seq}, ${uuid}, ${now_ms}. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--body", paramLabel = "TEMPLATE", description = "Request body template (${seq}, ${uuid},"
            + " ${now_ms}).")
    String body;

    @Option(names = "--payload", paramLabel = "FILE|DIR", description = "Request bodies from a file or the files"
            + " of a directory.")
    String payload;

    @Option(names = "--payload-order", paramLabel = "sequential|random", description = "Order of payload files.")
    String payloadOrder;

    @Option(names = "--content-type", paramLabel = "TYPE", description = "Content type of the body (default: from"
            + " the payload file extension; application/json for --body).")
    String contentType;

    @Option(names = "--http-version", paramLabel = "1.1|2", description = "HTTP version.")
    String httpVersion;

    @Option(names = "--connections", paramLabel = "N", description = "Connections (0: sized from the rate).")
    String connections;

    @Option(names = "--max-in-flight", paramLabel = "N", description = "Most requests in flight (0: the number of"
            + " connections).")
    String maxInFlight;

    @Option(names = "--overflow", paramLabel = "queue|drop", description = "Beyond the in-flight limit: wait in"
            + " the client (counted as latency) or drop (counted).")
    String overflow;

    @Option(names = "--max-queued", paramLabel = "N", description = "Most requests waiting in the client.")
    String maxQueued;

    @Option(names = "--connect-timeout", paramLabel = "DUR", description = "Connect timeout.")
    String connectTimeout;

    @Option(names = "--timeout", paramLabel = "DUR", description = "Response timeout.")
    String responseTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DUR", description = "Time for in-flight requests to finish"
            + " after the schedule ends.")
    String drainTimeout;

    @Option(names = "--record-interval", paramLabel = "DUR", description = "Recording interval (bare number: ms).")
    String recordInterval;

    @Option(names = "--window", paramLabel = "N", description = "Intervals in the sliding window.")
    String windowSize;

    @Option(names = "--rmi-port", paramLabel = "P", description = "Serve this run's LoadControl over RMI on port P"
            + " (registry and object; 0: any free port), for `loadgen ctl` and other controllers.")
    String rmiPort;

    @Option(names = "--rmi-bind", paramLabel = "ADDR", description = "Address the RMI port listens on (default"
            + " 127.0.0.1: this machine only).")
    String rmiBind;

    @Option(names = "--rmi-token", paramLabel = "TOKEN", description = "Shared token controllers must present"
            + " (default: rmiToken; LOADGEN_RMI_TOKEN keeps it off the command line). Required with --rmi-bind.")
    String rmiToken;

    @Option(names = "--idle", description = "Do not start: wait for a remote controller's start (serves RMI on"
            + " --rmi-port, default rmiPort).")
    boolean idle;

    @Option(names = "--out", paramLabel = "DIR", description = "Results dir (default: outDir/run-<time>).")
    Path out;

    @Option(names = "--assert", paramLabel = "EXPR", description = "Checked at the end; a failure exits 1:"
            + " 'p99<50ms', 'errors<1%%', 'dropped<0.1%%', 'achieved>99%%'. Repeatable.")
    List<String> assertions = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "No live line.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadGenConfig cfg = loadConfig();
        List<Assertion> checks = assertions.stream().map(Assertion::parse).toList();

        URI targetUri = target != null ? parseTarget(target) : cfg.imageClassifyBaseUrl();
        Workload workload = workload(cfg, targetUri);
        TransportConfig transport = cfg.transportConfig();
        EngineConfig engine = cfg.engineConfig();
        RunPlan plan = cfg.runPlan();
        Path dir = this.out != null ? this.out
                : cfg.outDir().resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                        "yyyyMMdd-HHmmss")));

        ResultsWriter results = new ResultsWriter(dir, settings(cfg, workload, transport, engine, plan));
        LoadGenerator generator = LoadGenerator.builder(workload).transport(transport).engine(engine).plan(plan)
                .listener(results).build();
        if (!quiet) {
            generator.addListener(new LiveLine(System.out, plan.length().orElse(null)));
        }

        out.printf("loadgen run: %s, %s arrivals, profile %s, %s; results in %s%n", workload,
                plan.arrival().name().toLowerCase(java.util.Locale.ROOT), plan.profile().spec(),
                plan.length().map(d -> "for " + io.loadgen.core.schedule.ChronoDurations.format(d))
                        .orElse("until Ctrl-C"), dir);
        out.flush();
        io.loadgen.rmi.RmiExporter exporter = null;
        if (rmiPort != null || idle) {
            java.net.InetAddress bind = rmiBind == null ? java.net.InetAddress.getLoopbackAddress()
                    : java.net.InetAddress.getByName(rmiBind);
            exporter = io.loadgen.rmi.RmiExporter.export(generator, cfg.rmiPort(), bind,
                    cfg.rmiToken().orElse(null), cfg.rmiTlsKeystore()
                            .map(k -> new io.loadgen.rmi.RmiExporter.Tls(k, cfg.rmiTlsPassword())).orElse(null));
            out.printf("remote control: rmi://%s:%d/%s%s%s%n", bind.getHostAddress(), exporter.port(),
                    io.loadgen.rmi.RemoteLoadControl.NAME, cfg.rmiTlsKeystore().isPresent() ? " over TLS" : "",
                    idle ? " (idle: waiting for a remote start)" : "");
            out.flush();
        }
        RunSummary summary;
        try {
            summary = new ResultsRun(generator, results, out).execute(!idle);
        } finally {
            if (exporter != null) {
                exporter.close();
            }
        }

        int code = 0;
        for (Assertion a : checks) {
            boolean ok = a.holds(summary);
            (ok ? out : err).println((ok ? "assertion passed: " : "ASSERTION FAILED: ") + a.describe(summary));
            if (!ok) {
                code = Main.EXIT_ASSERTION_FAILED;
            }
        }
        out.flush();
        err.flush();
        return code;
    }

    private LoadGenConfig loadConfig() {
        Map<String, String> overrides = new LinkedHashMap<>();
        Configs.put(overrides, "rate", rate);
        Configs.put(overrides, "arrival", arrival);
        Configs.put(overrides, "profile", profile);
        Configs.put(overrides, "duration", duration);
        Configs.put(overrides, "seed", seed);
        Configs.put(overrides, "warmup", warmup);
        Configs.put(overrides, "rmiPort", rmiPort);
        Configs.put(overrides, "rmiToken", rmiToken);
        Configs.put(overrides, "method", method);
        Configs.put(overrides, "payload", payload);
        Configs.put(overrides, "payloadOrder", payloadOrder);
        Configs.put(overrides, "httpVersion", httpVersion);
        Configs.put(overrides, "connections", connections);
        Configs.put(overrides, "maxInFlight", maxInFlight);
        Configs.put(overrides, "overflow", overflow);
        Configs.put(overrides, "maxQueued", maxQueued);
        Configs.put(overrides, "connectTimeout", connectTimeout);
        Configs.put(overrides, "responseTimeout", responseTimeout);
        Configs.put(overrides, "drainTimeout", drainTimeout);
        Configs.put(overrides, "recordInterval", recordInterval);
        Configs.put(overrides, "windowSize", windowSize);
        return Configs.load(config, overrides);
    }


    private static URI parseTarget(String t) {
        try {
            URI u = URI.create(t);
            if (u.getScheme() != null && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("--target must be an absolute http:// or https:// URL, got '" + t + "'");
    }

    private Workload workload(LoadGenConfig cfg, URI targetUri) {
        Workload.Builder b = Workload.builder(targetUri).seed(cfg.seed()).payloadOrder(cfg.payloadOrder());
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header must be 'Name: value', got '" + h + "'");
            }
            b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        if (body != null && cfg.payload().isPresent()) {
            throw new IllegalArgumentException("give --body or --payload, not both");
        }
        if (body != null) {
            b.body(body, contentType);
        } else if (cfg.payload().isPresent()) {
            b.payloads(Payload.read(cfg.payload().get(), contentType));
        }
        cfg.method().ifPresent(b::method);
        return b.build();
    }

    private static Map<String, String> settings(LoadGenConfig cfg, Workload w, TransportConfig t, EngineConfig e,
            RunPlan p) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("target", w.target().toString());
        s.put("method", w.method());
        s.put("payloads", Integer.toString(w.payloads().size()));
        s.put("profile", p.profile().spec());
        s.put("arrival", p.arrival().name().toLowerCase(java.util.Locale.ROOT));
        s.put("seed", Long.toString(p.seed()));
        s.put("duration", p.length().map(Duration::toString).orElse("until stopped"));
        s.put("http_version", t.httpVersion().name());
        s.put("connections", t.connections() == 0 ? "auto" : Integer.toString(t.connections()));
        s.put("max_in_flight", e.maxInFlight() == 0 ? "auto" : Integer.toString(e.maxInFlight()));
        s.put("overflow", e.overflow().name().toLowerCase(java.util.Locale.ROOT));
        s.put("max_queued", Integer.toString(e.maxQueued()));
        s.put("connect_timeout", t.connectTimeout().toString());
        s.put("response_timeout", t.responseTimeout().toString());
        s.put("record_interval", e.recordInterval().toString());
        s.put("window_size", Integer.toString(e.windowSize()));
        s.put("warmup", e.warmup().toString());
        return s;
    }
}
