package io.loadgen.core.config;

import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfile;
import io.loadgen.core.schedule.RateProfiles;
import io.loadgen.core.engine.Workload.PayloadOrder;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration of loadgen: the defaults of {@code conf/sys.properties} (shipped inside this jar), then a
 * user's properties file, then environment variables ({@code LOADGEN_} + the key in upper snake case), then
 * command-line overrides; a later source wins. Every value is checked when the configuration is loaded: an unknown
 * key or a bad value throws a {@link ConfigException} naming the key and its source. Immutable.
 */
public final class LoadGenConfig {
    /** Classpath location of the defaults (a copy of {@code conf/sys.properties}). */
    public static final String DEFAULTS_RESOURCE = "/io/loadgen/core/config/sys.properties";
    /** Environment variables with this prefix are configuration. */
    public static final String ENV_PREFIX = "LOADGEN_";
    /** Environment variables with the prefix that are not configuration keys (used by the launch script). */
    public static final Set<String> ENV_RESERVED = Set.of("LOADGEN_OPTS", "LOADGEN_HOME", "LOADGEN_JAVA",
            "LOADGEN_CONF", "LOADGEN_LOG_LEVEL");

    /**
     * Keys that other modules of the toolkit read from the same file; the core accepts them (so that one file serves
     * all) but does not interpret them.
     */
    private static final Set<String> OTHER_MODULE_KEYS = Set.of();

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private LoadGenConfig(Map<String, String> values, Map<String, String> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        // Parse every key once so that a bad value fails now, not in the middle of a run.
        for (String key : ConfigKeys.ALL.keySet()) {
            ConfigKeys.ALL.get(key).accept(this);
        }
    }

    /** @return the defaults alone */
    public static LoadGenConfig defaults() {
        return load(null, Map.of(), Map.of());
    }

    /**
     * Loads the configuration.
     *
     * @param file a properties file of the user's, or {@code null}
     * @param environment the environment (usually {@link System#getenv()})
     * @param overrides values from the command line, by key
     * @return the configuration
     * @throws ConfigException naming the key of an unknown key or a bad value
     */
    public static LoadGenConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        try (InputStream in = LoadGenConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("defaults " + DEFAULTS_RESOURCE + " missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            put(p, "defaults (conf/sys.properties)", values, sources);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the defaults", e);
        }
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
            put(p, "file " + file, values, sources);
        }
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(environment).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || ENV_RESERVED.contains(name)) {
                continue;
            }
            String key = keyForEnv(name);
            if (key == null) {
                throw new ConfigException("unknown configuration key in environment variable " + name
                        + "; known keys: " + knownKeys());
            }
            values.put(key, e.getValue().trim());
            sources.put(key, "environment " + name);
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            check(e.getKey(), "command line");
            values.put(e.getKey(), e.getValue().trim());
            sources.put(e.getKey(), "command line");
        }
        return new LoadGenConfig(values, sources);
    }

    private static void put(Properties p, String source, Map<String, String> values, Map<String, String> sources) {
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            check(key, source);
            values.put(key, p.getProperty(key).trim());
            sources.put(key, source);
        }
    }

    private static void check(String key, String source) {
        if (!ConfigKeys.ALL.containsKey(key) && !OTHER_MODULE_KEYS.contains(key)) {
            throw new ConfigException("unknown configuration key '" + key + "' in " + source + "; known keys: "
                    + knownKeys());
        }
    }

    private static String knownKeys() {
        return String.join(", ", new TreeSet<>(ConfigKeys.ALL.keySet()));
    }

    /**
     * @param key a configuration key, e.g. {@code imageClassifyBaseURL}
     * @return its environment variable, e.g. {@code LOADGEN_IMAGE_CLASSIFY_BASE_URL}
     */
    public static String envName(String key) {
        String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2");
        return ENV_PREFIX + snake.toUpperCase(Locale.ROOT);
    }

    private static String keyForEnv(String env) {
        for (String key : ConfigKeys.ALL.keySet()) {
            if (envName(key).equals(env)) {
                return key;
            }
        }
        for (String key : OTHER_MODULE_KEYS) {
            if (envName(key).equals(env)) {
                return key;
            }
        }
        return null;
    }

    /** @return the raw value of a key, as given */
    public String raw(String key) {
        return values.getOrDefault(key, "");
    }

    /** @return where a key's value came from, for messages */
    public String source(String key) {
        return sources.getOrDefault(key, "defaults");
    }

    <T> T parse(String key, java.util.function.Function<String, T> parser) {
        String v = raw(key);
        try {
            return parser.apply(v);
        } catch (RuntimeException e) {
            throw new ConfigException("bad value '" + v + "' for configuration key '" + key + "' (from "
                    + source(key) + "): " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- typed values

    /** @return {@code imageClassifyBaseURL}: the default target URL */
    public URI imageClassifyBaseUrl() {
        return parse("imageClassifyBaseURL", ConfigKeys::httpUri);
    }

    /** @return {@code serverIp}: address the bundled server binds to and controllers talk to */
    public String serverIp() {
        return parse("serverIp", ConfigKeys::host);
    }

    /** @return {@code rmiPort}, in [0, 65535] (0: any free port) */
    public int rmiPort() {
        return parse("rmiPort", v -> ConfigKeys.intIn(v, 0, 65535));
    }

    /** @return {@code rmiToken}: the shared token of the remote control, or empty for none */
    public Optional<String> rmiToken() {
        return parse("rmiToken", v -> v.isBlank() ? Optional.empty() : Optional.of(v));
    }

    /** @return {@code rmiTlsKeystore}: the PKCS12 keystore that turns on TLS for the remote control, or empty */
    public Optional<Path> rmiTlsKeystore() {
        return parse("rmiTlsKeystore", v -> v.isBlank() ? Optional.empty() : Optional.of(Path.of(v)));
    }

    /** @return {@code rmiTlsPassword}: the keystore's password (may be empty) */
    public String rmiTlsPassword() {
        return raw("rmiTlsPassword");
    }

    /** @return {@code windowSize}: intervals in the sliding window, in [1, 3600] */
    public int windowSize() {
        return parse("windowSize", v -> ConfigKeys.intIn(v, 1, 3600));
    }

    /** @return {@code recordInterval}, in [10 ms, 1 h] */
    public Duration recordInterval() {
        return parse("recordInterval", v -> ConfigKeys.durationIn(v, "ms", Duration.ofMillis(10), Duration.ofHours(1)));
    }

    /** @return {@code rate}: requests per second when no profile is given */
    public double rate() {
        return parse("rate", ConfigKeys::rate);
    }

    /** @return {@code arrival} */
    public Arrival arrival() {
        return parse("arrival", v -> ConfigKeys.enumOf(Arrival.class, v));
    }

    /** @return {@code profile}, or empty for a constant {@link #rate()} */
    public Optional<RateProfile> profile() {
        return parse("profile", v -> v.isBlank() ? Optional.empty() : Optional.of(RateProfiles.parse(v)));
    }

    /** @return {@code duration}, or empty for the profile's own length (or until stopped) */
    public Optional<Duration> duration() {
        return parse("duration", v -> {
            Duration d = ChronoDurations.parse(v, "s");
            return d.isZero() ? Optional.empty() : Optional.of(d);
        });
    }

    /** @return {@code seed} */
    public long seed() {
        return parse("seed", Long::parseLong);
    }

    /** @return {@code method}, or empty for GET / POST by body */
    public Optional<String> method() {
        return parse("method", v -> v.isBlank() ? Optional.empty() : Optional.of(v.toUpperCase(Locale.ROOT)));
    }

    /** @return {@code payload}: a file or directory of request bodies, or empty */
    public Optional<Path> payload() {
        return parse("payload", v -> v.isBlank() ? Optional.empty() : Optional.of(Path.of(v)));
    }

    /** @return {@code payloadOrder} */
    public PayloadOrder payloadOrder() {
        return parse("payloadOrder", v -> ConfigKeys.enumOf(PayloadOrder.class, v));
    }

    /** @return {@code outDir} */
    public Path outDir() {
        return parse("outDir", v -> Path.of(v.isBlank() ? "results" : v));
    }

    /** @return {@code serverPort}: the bundled server's port, in [0, 65535] (0: any free port) */
    public int serverPort() {
        return parse("serverPort", v -> ConfigKeys.intIn(v, 0, 65535));
    }

    /** @return {@code model}: the SavedModel directory to serve, or empty for the built-in default */
    public Optional<Path> model() {
        return parse("model", v -> v.isBlank() ? Optional.empty() : Optional.of(Path.of(v)));
    }

    /** @return {@code workers}: model instances, in [1, 64] */
    public int workers() {
        return parse("workers", v -> ConfigKeys.intIn(v, 1, 64));
    }

    /** @return {@code maxBatch}: most images in one model run, in [1, 1024] */
    public int maxBatch() {
        return parse("maxBatch", v -> ConfigKeys.intIn(v, 1, 1024));
    }

    /** @return {@code maxDelay}: batching delay, in [0, 10 s] */
    public Duration maxDelay() {
        return parse("maxDelay", v -> ConfigKeys.durationIn(v, "ms", Duration.ZERO, Duration.ofSeconds(10)));
    }

    /** @return {@code queueSize}: requests per priority lane, in [1, 1000000] */
    public int queueSize() {
        return parse("queueSize", v -> ConfigKeys.intIn(v, 1, 1_000_000));
    }

    /** @return {@code requestDeadline}: default request deadline, in [1 ms, 1 h] */
    public Duration requestDeadline() {
        return parse("requestDeadline", v -> ConfigKeys.durationIn(v, "ms", Duration.ofMillis(1),
                Duration.ofHours(1)));
    }

    /** @return {@code intraOpThreads}: TensorFlow intra-op threads per instance, in [0, 256] (0: automatic) */
    public int intraOpThreads() {
        return parse("intraOpThreads", v -> ConfigKeys.intIn(v, 0, 256));
    }

    /** @return the transport settings of {@code httpVersion}, {@code connections} and the timeouts */
    public TransportConfig transportConfig() {
        return TransportConfig.custom()
                .httpVersion(parse("httpVersion", ConfigKeys::httpVersion))
                .connections(parse("connections", v -> ConfigKeys.intIn(v, 0, TransportConfig.MAX_CONNECTIONS)))
                .connectTimeout(parse("connectTimeout", v -> ConfigKeys.positiveDuration(v, "s")))
                .responseTimeout(parse("responseTimeout", v -> ConfigKeys.positiveDuration(v, "s")))
                .build();
    }

    /** @return the engine settings of {@code maxInFlight}, {@code overflow}, {@code maxQueued}, the drain timeout
     *     and the recording clock */
    public EngineConfig engineConfig() {
        return EngineConfig.custom()
                .maxInFlight(parse("maxInFlight", v -> ConfigKeys.intIn(v, 0, EngineConfig.MAX_IN_FLIGHT)))
                .overflow(parse("overflow", v -> ConfigKeys.enumOf(EngineConfig.Overflow.class, v)))
                .maxQueued(parse("maxQueued", v -> ConfigKeys.intIn(v, 0, EngineConfig.MAX_QUEUED)))
                .drainTimeout(parse("drainTimeout", v -> ConfigKeys.durationIn(v, "s", Duration.ZERO,
                        Duration.ofHours(1))))
                .recordInterval(recordInterval())
                .windowSize(windowSize())
                .warmup(parse("warmup", v -> ConfigKeys.durationIn(v, "s", Duration.ZERO, Duration.ofHours(1))))
                .build();
    }

    /** @return the plan of {@code profile} (or a constant {@code rate}), {@code arrival}, {@code seed} and
     *     {@code duration} */
    public RunPlan runPlan() {
        RateProfile p = profile().orElseGet(() -> new ConstantRate(rate()));
        return new RunPlan(p, arrival(), seed(), duration().orElse(null));
    }
}
