package io.loadgen.core.config;

import io.loadgen.config.ChronoDurations;
import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import io.loadgen.core.engine.Concurrency;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Warmup;
import io.loadgen.core.engine.Workload.PayloadOrder;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.RateProfile;
import io.loadgen.core.schedule.RateProfiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The load generator's settings, each declared once: key, type, range, default, doc and flag. The builders of
 * {@link EngineConfig} and {@link TransportConfig} check their values with these declarations; the command line
 * derives its flags and {@code --help} from them, and {@code conf/sys.properties} is rendered from them.
 */
public final class CoreSettings {
    private CoreSettings() {
    }

    // ---------------------------------------------------------------- target and requests

    /** The default target. */
    public static final Setting<URI> TARGET = Setting.httpUrl("imageClassifyBaseURL")
            .defaultValue(URI.create("http://127.0.0.1:8091/v1/classify")).flags("--target")
            .doc("Target URL of `loadgen run`, `search` and `gui`; the default is the bundled server's classify"
                    + " endpoint.")
            .build();
    /** The HTTP method. */
    public static final Setting<Optional<String>> METHOD = Setting.custom("method",
            v -> v.isBlank() ? Optional.<String>empty() : Optional.of(v.toUpperCase(Locale.ROOT)),
            (Optional<String> o) -> o.orElse(""), "")
            .valid(o -> o.map(m -> m.matches("[A-Z]+")).orElse(true), "an HTTP method such as GET or POST (empty:"
                    + " GET, or POST when there is a body)")
            .defaultValue(Optional.empty()).flags("--method").label("M")
            .doc("HTTP method; empty means GET, or POST when there is a body or payload.").build();
    /** Request bodies from files. */
    public static final Setting<Optional<Path>> PAYLOAD = Setting.optionalPath("payload")
            .defaultValue(Optional.empty()).flags("--payload").label("FILE|DIR")
            .doc("Payload file, or directory of files, sent as request bodies (or, with --body, each rendered into"
                    + " the body template); a directory of DIR/<label>/<file> or with a labels.csv (file,label) gives"
                    + " each file its label. Empty for none.").build();
    /** Order of payload files. */
    public static final Setting<PayloadOrder> PAYLOAD_ORDER = Setting.choice("payloadOrder", PayloadOrder.class)
            .defaultValue(PayloadOrder.SEQUENTIAL).flags("--payload-order")
            .doc("Order in which payload files are used: sequential (cycling) or random (seeded).").build();

    /** Target and request settings. */
    public static final SettingGroup TARGET_GROUP = SettingGroup.of("target", "Target and requests", TARGET, METHOD,
            PAYLOAD, PAYLOAD_ORDER);

    // ---------------------------------------------------------------- schedule

    /** The rate when no profile is given. */
    public static final Setting<Double> RATE = Setting.decimal("rate", 0, RateProfile.MAX_RATE).defaultValue(100.0)
            .flags("--rate").doc("Target rate in requests per second (fractions allowed), used when no profile is"
                    + " given.")
            .build();
    /** The arrival process. */
    public static final Setting<Arrival> ARRIVAL = Setting.choice("arrival", Arrival.class)
            .defaultValue(Arrival.POISSON).flags("--arrival")
            .doc("Arrival process: poisson (exponential gaps from the seed) or constant (evenly spaced).").build();
    /** The rate profile. */
    public static final Setting<Optional<RateProfile>> PROFILE = Setting.custom("profile",
            v -> v.isBlank() ? Optional.<RateProfile>empty() : Optional.of(RateProfiles.parse(v)),
            (Optional<RateProfile> o) -> o.map(RateProfile::spec).orElse(""),
            "empty, or steps:100@10s,200@10s | ramp:10..1000@60s | sine:500,300,30s | trace:rates=FILE |"
                    + " trace:timestamps=FILE")
            .defaultValue(Optional.empty()).flags("--profile").label("SPEC")
            .doc("Rate profile; empty means constant at `rate`.").build();
    /** How long to schedule requests. */
    public static final Setting<Optional<Duration>> DURATION = Setting.custom("duration",
            v -> {
                Duration d = ChronoDurations.parse(v, "s");
                return d.isZero() ? Optional.<Duration>empty() : Optional.of(d);
            },
            (Optional<Duration> o) -> o.map(ChronoDurations::formatExact).orElse("0"),
            "a duration (10s, 2m; a bare number is in s); 0 for the profile's own length, or until stopped")
            .defaultValue(Optional.of(Duration.ofSeconds(60))).flags("--duration").label("DUR")
            .doc("How long to schedule requests; 0 means the profile's own length, or until stopped.").build();
    /** The warm-up. */
    public static final Setting<Warmup> WARMUP = Setting.custom("warmup", Warmup::parse, Warmup::format,
            "auto, 0, or a duration in [0s, 1h] (5s; a bare number is in s)")
            .defaultValue(Warmup.AUTO).flags("--warmup").label("auto|0|DUR")
            .doc("auto: before the first request the generator warms its own request path (JIT) against a loopback"
                    + " sink it starts itself, for about 2 s, once per JVM; the target sees none of it, and nothing is left out"
                    + " of the summary. A duration such as 5s: the same, then the first 5 s at the target rate are"
                    + " left out of the summary (the target's caches and connections warm up; those intervals are"
                    + " printed and written, marked warmup). 0: no warm-up of any kind.")
            .build();
    /** The seed. */
    public static final Setting<Long> SEED = Setting.longInteger("seed").defaultValue(1L).flags("--seed")
            .doc("Seed of the Poisson process and of random payload order: the same seed repeats a run exactly.")
            .build();

    /** Closed-loop sessions. */
    public static final Setting<Concurrency> CONCURRENCY = Setting.custom("concurrency", Concurrency::parse,
            Concurrency::format, "0, a number of sessions in [1, 100000], or a list of them (1,2,4,8)")
            .defaultValue(Concurrency.OPEN).flags("--concurrency").label("N|N,N...")
            .doc("0: open loop (the rate or profile). N: closed loop, N sessions each sending its next request when"
                    + " its previous one has ended (plus think time); latency is then measured from the actual send,"
                    + " as there is no intended time. A list (1,2,4,8): a sweep, one trial per level until stable, and"
                    + " a throughput-latency table (sweep.json).")
            .build();
    /** Think time between a session's requests. */
    public static final Setting<Duration> THINK_TIME = Setting.duration("thinkTime", "ms", Duration.ZERO,
            Duration.ofHours(1)).defaultValue(Duration.ZERO).flags("--think-time")
            .doc("In closed loop, how long a session waits after a request ends before it sends its next.").build();
    /** The run ends after this many requests. */
    public static final Setting<Long> COUNT = Setting.longInteger("count").valid(n -> n >= 0,
            "a whole number >= 0").defaultValue(0L).flags("--count")
            .doc("End the run (open or closed loop) once this many requests have been scheduled; 0 for no such"
                    + " bound. With --concurrency 1 --count 1000: one request after the other, 1000 times.")
            .build();

    /** Schedule settings. */
    public static final SettingGroup SCHEDULE_GROUP = SettingGroup.of("schedule", "Schedule", RATE, ARRIVAL, PROFILE,
            DURATION, WARMUP, SEED, CONCURRENCY, THINK_TIME, COUNT);

    // ---------------------------------------------------------------- engine

    /** The in-flight limit. */
    public static final Setting<Integer> MAX_IN_FLIGHT = Setting.integer("maxInFlight", 0,
            EngineConfig.MAX_IN_FLIGHT).defaultValue(0).flags("--max-in-flight")
            .doc("Most requests sent and not yet answered. 0 (unless connections is set): it follows the load by"
                    + " Little's law, starting at rate x 20 ms (8-1024); when a request would wait it grows at once"
                    + " towards rate x latency x 2 + 8 if that is more (at most doubling a step), up to 10000 (or half"
                    + " the file descriptors), and it halves after 10 intervals of low use. A number is a hard cap:"
                    + " beyond it requests wait or are dropped (overflow), and the run's verdict says so.")
            .build();
    /** The overflow policy. */
    public static final Setting<EngineConfig.Overflow> OVERFLOW = Setting.choice("overflow",
            EngineConfig.Overflow.class).defaultValue(EngineConfig.Overflow.QUEUE).flags("--overflow")
            .doc("What happens to a request due while maxInFlight are in flight: queue (it waits in the client and"
                    + " the wait counts as latency) or drop (counted as dropped).")
            .build();
    /** The client queue's bound. */
    public static final Setting<Integer> MAX_QUEUED = Setting.integer("maxQueued", 0, EngineConfig.MAX_QUEUED)
            .defaultValue(100_000).flags("--max-queued")
            .doc("Most requests waiting in the client under the queue policy; beyond it they are dropped.").build();
    /** The drain timeout. */
    public static final Setting<Duration> DRAIN_TIMEOUT = Setting.duration("drainTimeout", "s", Duration.ZERO,
            Duration.ofHours(1)).defaultValue(Duration.ofSeconds(10)).flags("--drain-timeout")
            .doc("After the schedule ends, how long queued and in-flight requests may take before they are"
                    + " cancelled.")
            .build();
    /** The recording interval. */
    public static final Setting<Duration> RECORD_INTERVAL = Setting.duration("recordInterval", "ms",
            Duration.ofMillis(10), Duration.ofHours(1)).defaultValue(Duration.ofSeconds(1))
            .flags("--record-interval")
            .doc("Length of one recording interval: one live line, one row of timeline.csv.").build();
    /** The sliding window's size. */
    public static final Setting<Integer> WINDOW_SIZE = Setting.integer("windowSize", 1, 3600).defaultValue(60)
            .flags("--window")
            .doc("Number of recording intervals in the sliding window that live views and remote controllers read.")
            .build();

    /** Engine settings. */
    public static final SettingGroup ENGINE_GROUP = SettingGroup.of("engine", "Engine", MAX_IN_FLIGHT, OVERFLOW,
            MAX_QUEUED, DRAIN_TIMEOUT, RECORD_INTERVAL, WINDOW_SIZE);

    // ---------------------------------------------------------------- transport

    /** The HTTP version. */
    public static final Setting<TransportConfig.HttpVersion> HTTP_VERSION = Setting.custom("httpVersion",
            v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "1.1", "http/1.1", "http1.1" -> TransportConfig.HttpVersion.HTTP_1_1;
                case "2", "h2", "http/2", "h2c" -> TransportConfig.HttpVersion.HTTP_2;
                default -> throw new IllegalArgumentException(v);
            }, (TransportConfig.HttpVersion h) -> h == TransportConfig.HttpVersion.HTTP_2 ? "2" : "1.1", "1.1 or 2")
            .defaultValue(TransportConfig.HttpVersion.HTTP_1_1).flags("--http-version").label("1.1|2")
            .doc("HTTP version: 1.1 (connection pool) or 2 (streams over one connection; h2c prior knowledge on"
                    + " http://).")
            .build();
    /** The connection count. */
    public static final Setting<Integer> CONNECTIONS = Setting.integer("connections", 0,
            TransportConfig.MAX_CONNECTIONS).defaultValue(0).flags("--connections")
            .doc("Connections to the target (HTTP/1.1: the pool; HTTP/2: connections of 100 streams each). 0: the"
                    + " pool follows the in-flight limit (the lean transport opens a lane's first connections before the"
                    + " start, then at most 16 at once and 2 a millisecond). A number fixes the pool and, unless"
                    + " maxInFlight is set, caps in flight at it.")
            .build();
    /** The connect timeout. */
    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("connectTimeout", "s",
            Duration.ofMillis(1), Duration.ofHours(1)).defaultValue(Duration.ofSeconds(5)).flags("--connect-timeout")
            .doc("Time to establish a connection.").build();
    /** The response timeout. */
    public static final Setting<Duration> RESPONSE_TIMEOUT = Setting.duration("responseTimeout", "s",
            Duration.ofMillis(1), Duration.ofHours(1)).defaultValue(Duration.ofSeconds(30)).flags("--timeout")
            .doc("Time to wait for a complete response once a request is sent.").build();

    /** Which transport sends the requests. */
    public static final Setting<TransportConfig.Kind> TRANSPORT = Setting.choice("transport",
            TransportConfig.Kind.class).defaultValue(TransportConfig.Kind.AUTO).flags("--transport")
            .doc("auto: the lean transport (Netty, native epoll, scheduling on its event loops) for plain http://"
                    + " HTTP/1.1, HttpClient 5 for https://, HTTP/2 and anything else. lean: the lean one (plain"
                    + " HTTP/1.1 only). httpclient: HttpClient 5 whatever the target.")
            .build();
    /** Pipelining depth of the lean transport. */
    public static final Setting<Integer> PIPELINE = Setting.integer("pipeline", 1, 64).defaultValue(1)
            .flags("--pipeline")
            .doc("Lean transport: requests sent on one connection before its first response arrives (HTTP/1.1"
                    + " pipelining); 1 for none. The server answers them in order.")
            .build();

    /** Transport settings. */
    public static final SettingGroup TRANSPORT_GROUP = SettingGroup.of("transport", "Transport", TRANSPORT,
            HTTP_VERSION, CONNECTIONS, CONNECT_TIMEOUT, RESPONSE_TIMEOUT, PIPELINE);

    // ---------------------------------------------------------------- results

    /** Where results dirs go. */
    public static final Setting<Path> OUT_DIR = Setting.path("outDir").defaultValue(Path.of("results"))
            .flags("--out-dir").label("DIR")
            .doc("Directory under which each run writes its results dir (summary.json, timeline.csv, latency.hlog,"
                    + " report.html).")
            .build();

    /** Results settings. */
    public static final SettingGroup RESULTS_GROUP = SettingGroup.of("results", "Results", OUT_DIR);

    /** Every group of the core, in the order files and help show them. */
    public static final List<SettingGroup> GROUPS = List.of(TARGET_GROUP, SCHEDULE_GROUP, ENGINE_GROUP,
            TRANSPORT_GROUP, RESULTS_GROUP);
}
