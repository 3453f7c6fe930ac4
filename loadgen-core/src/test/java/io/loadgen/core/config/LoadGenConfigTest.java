package io.loadgen.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload.PayloadOrder;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RampRate;
import io.loadgen.core.schedule.StepRate;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadGenConfigTest {
    @TempDir
    Path tmp;

    private Path file(String content) throws IOException {
        Path f = tmp.resolve("user-" + System.nanoTime() + ".properties");
        Files.writeString(f, content);
        return f;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message should contain '" + p + "': " + message);
        }
    }

    // ------------------------------------------------------------------ defaults

    @Test
    void defaultsParse() {
        LoadGenConfig c = LoadGenConfig.defaults();
        assertEquals(URI.create("http://127.0.0.1:8091/v1/classify"), c.imageClassifyBaseUrl());
        assertEquals("127.0.0.1", c.serverIp());
        assertEquals(2222, c.rmiPort());
        assertEquals(60, c.windowSize());
        assertEquals(Duration.ofMillis(1000), c.recordInterval());
        assertEquals(100.0, c.rate());
        assertEquals(Arrival.POISSON, c.arrival());
        assertEquals(Optional.empty(), c.profile());
        assertEquals(Optional.of(Duration.ofSeconds(60)), c.duration());
        assertEquals(1L, c.seed());
        assertEquals(Optional.empty(), c.method());
        assertEquals(Optional.empty(), c.payload());
        assertEquals(PayloadOrder.SEQUENTIAL, c.payloadOrder());
        assertEquals(Path.of("results"), c.outDir());
        assertTrue(c.source("rmiPort").contains("defaults"), c.source("rmiPort"));
    }

    @Test
    void shippedDefaultsAgreeWithTheLibraryDefaults() {
        EngineConfig e = LoadGenConfig.defaults().engineConfig();
        assertEquals(EngineConfig.DEFAULT.maxQueued(), e.maxQueued());
        assertEquals(EngineConfig.DEFAULT.maxInFlight(), e.maxInFlight());
        assertEquals(EngineConfig.DEFAULT.drainTimeout(), e.drainTimeout());
        assertEquals(EngineConfig.DEFAULT.overflow(), e.overflow());
        assertEquals(EngineConfig.DEFAULT.windowSize(), e.windowSize());
        assertEquals(EngineConfig.DEFAULT.recordInterval(), e.recordInterval());
        assertEquals(60, e.windowSize());
        assertEquals(Duration.ofMillis(1000), e.recordInterval());

        TransportConfig t = LoadGenConfig.defaults().transportConfig();
        assertEquals(TransportConfig.DEFAULT.connectTimeout(), t.connectTimeout());
        assertEquals(TransportConfig.DEFAULT.responseTimeout(), t.responseTimeout());
        assertEquals(TransportConfig.DEFAULT.httpVersion(), t.httpVersion());
        assertEquals(TransportConfig.DEFAULT.connections(), t.connections());
        assertEquals(0, t.connections(), "0 = sized from the rate");
        assertEquals(TransportConfig.MIN_AUTO_CONNECTIONS, t.connectionsFor(100));
    }

    // ------------------------------------------------------------------ precedence

    @Test
    void fileOverridesDefaults() throws IOException {
        Path f = file("rate=250\nwindowSize = 30\n# a comment\nrecordInterval=500ms\n");
        LoadGenConfig c = LoadGenConfig.load(f, Map.of(), Map.of());
        assertEquals(250.0, c.rate());
        assertEquals(30, c.windowSize());
        assertEquals(Duration.ofMillis(500), c.recordInterval());
        assertEquals(2222, c.rmiPort(), "keys the file does not set keep their defaults");
        assertContains(c.source("rate"), f.toString());
        assertEquals("250", c.raw("rate"));
    }

    @Test
    void environmentOverridesFile() throws IOException {
        Path f = file("rate=250\nwindowSize=30\n");
        LoadGenConfig c = LoadGenConfig.load(f, Map.of("LOADGEN_RATE", "42", "PATH", "/usr/bin"), Map.of());
        assertEquals(42.0, c.rate());
        assertEquals(30, c.windowSize(), "the file still wins over the defaults");
        assertContains(c.source("rate"), "LOADGEN_RATE");
    }

    @Test
    void overridesOverrideEnvironment() throws IOException {
        Path f = file("rate=250\n");
        LoadGenConfig c = LoadGenConfig.load(f, Map.of("LOADGEN_RATE", "42", "LOADGEN_RMI_PORT", "3333"),
                Map.of("rate", "7"));
        assertEquals(7.0, c.rate());
        assertEquals(3333, c.rmiPort(), "the environment still wins over the defaults");
        assertEquals("command line", c.source("rate"));
    }

    @Test
    void environmentNamesOfMultiWordKeys() {
        LoadGenConfig c = LoadGenConfig.load(null, Map.of(
                "LOADGEN_IMAGE_CLASSIFY_BASE_URL", "https://example.org:9443/x",
                "LOADGEN_RECORD_INTERVAL", "250",
                "LOADGEN_PAYLOAD_ORDER", "random",
                "LOADGEN_MAX_IN_FLIGHT", "64"), Map.of());
        assertEquals(URI.create("https://example.org:9443/x"), c.imageClassifyBaseUrl());
        assertEquals(Duration.ofMillis(250), c.recordInterval());
        assertEquals(PayloadOrder.RANDOM, c.payloadOrder());
        assertEquals(64, c.engineConfig().maxInFlight());
    }

    @Test
    void envName() {
        assertEquals("LOADGEN_IMAGE_CLASSIFY_BASE_URL", LoadGenConfig.envName("imageClassifyBaseURL"));
        assertEquals("LOADGEN_RMI_PORT", LoadGenConfig.envName("rmiPort"));
        assertEquals("LOADGEN_RATE", LoadGenConfig.envName("rate"));
        assertEquals("LOADGEN_MAX_IN_FLIGHT", LoadGenConfig.envName("maxInFlight"));
        assertEquals("LOADGEN_SERVER_IP", LoadGenConfig.envName("serverIp"));
    }

    @Test
    void everyKeyHasAnEnvironmentVariableThatReachesIt() {
        for (String key : ConfigKeys.ALL.keySet()) {
            String env = LoadGenConfig.envName(key);
            String value = LoadGenConfig.defaults().raw(key);
            LoadGenConfig c = LoadGenConfig.load(null, Map.of(env, value), Map.of());
            assertEquals("environment " + env, c.source(key), key);
        }
    }

    @Test
    void reservedEnvironmentVariablesAreIgnored() {
        Map<String, String> env = new HashMap<>();
        env.put("LOADGEN_OPTS", "-Xmx1g");
        env.put("LOADGEN_LOG_LEVEL", "debug");
        env.put("LOADGEN_HOME", "/opt/loadgen");
        env.put("HOME", "/root");
        LoadGenConfig c = LoadGenConfig.load(null, env, Map.of());
        assertEquals(LoadGenConfig.defaults().rate(), c.rate());
    }

    // ------------------------------------------------------------------ unknown keys

    @Test
    void unknownKeyInFile() throws IOException {
        Path f = file("rate=5\nratee=6\n");
        ConfigException e = assertThrows(ConfigException.class, () -> LoadGenConfig.load(f, Map.of(), Map.of()));
        assertContains(e.getMessage(), "'ratee'", f.toString(), "known keys", "rate");
    }

    @Test
    void unknownKeyInEnvironment() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LoadGenConfig.load(null, Map.of("LOADGEN_RAET", "5"), Map.of()));
        assertContains(e.getMessage(), "LOADGEN_RAET", "environment");
    }

    @Test
    void unknownKeyInOverrides() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LoadGenConfig.load(null, Map.of(), Map.of("windowsize", "5")));
        assertContains(e.getMessage(), "'windowsize'", "command line");
    }

    // ------------------------------------------------------------------ bad values

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rmiPort|70000", "rmiPort|-1", "rmiPort|http", "windowSize|0", "windowSize|3601", "rate|-1", "rate|abc",
        "rate|2000000", "recordInterval|5ms", "recordInterval|2h", "arrival|uniform", "httpVersion|3",
        "imageClassifyBaseURL|ftp://x", "imageClassifyBaseURL|localhost:8080", "serverIp|a b", "seed|x",
        "duration|-5s", "profile|square:1", "connections|-1", "connectTimeout|0", "responseTimeout|soon",
        "maxInFlight|2000000", "overflow|spill", "maxQueued|-1", "drainTimeout|2h", "payloadOrder|shuffled"})
    void badValuesNameTheKey(String key, String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LoadGenConfig.load(null, Map.of(), Map.of(key, value)));
        assertContains(e.getMessage(), "'" + key + "'", "'" + value + "'", "command line");
    }

    @Test
    void badValueInFileNamesTheFile() throws IOException {
        Path f = file("windowSize=0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> LoadGenConfig.load(f, Map.of(), Map.of()));
        assertContains(e.getMessage(), "'windowSize'", f.toString(), "[1, 3600]");
    }

    @Test
    void badValueInEnvironmentNamesTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LoadGenConfig.load(null, Map.of("LOADGEN_RMI_PORT", "70000"), Map.of()));
        assertContains(e.getMessage(), "'rmiPort'", "LOADGEN_RMI_PORT", "65535");
    }

    @Test
    void aLaterGoodValueRepairsAnEarlierBadOne() throws IOException {
        Path f = file("rmiPort=70000\n");
        assertEquals(4000, LoadGenConfig.load(f, Map.of(), Map.of("rmiPort", "4000")).rmiPort());
    }

    @Test
    void missingFile() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LoadGenConfig.load(tmp.resolve("nope.properties"), Map.of(), Map.of()));
        assertContains(e.getMessage(), "nope.properties");
    }

    // ------------------------------------------------------------------ derived values

    @Test
    void transportAndEngineSettings() {
        LoadGenConfig c = LoadGenConfig.load(null, Map.of(), Map.of("httpVersion", "h2", "connections", "16",
                "connectTimeout", "250ms", "responseTimeout", "2", "overflow", "DROP", "maxQueued", "0",
                "drainTimeout", "0"));
        TransportConfig t = c.transportConfig();
        assertEquals(TransportConfig.HttpVersion.HTTP_2, t.httpVersion());
        assertEquals(16, t.connections());
        assertEquals(Duration.ofMillis(250), t.connectTimeout());
        assertEquals(Duration.ofSeconds(2), t.responseTimeout(), "a bare timeout is in seconds");
        EngineConfig e = c.engineConfig();
        assertEquals(EngineConfig.Overflow.DROP, e.overflow());
        assertEquals(0, e.maxQueued());
        assertEquals(Duration.ZERO, e.drainTimeout());
        assertEquals(Duration.ofSeconds(1), e.recordInterval());
        assertEquals(Optional.of("POST"), LoadGenConfig.load(null, Map.of(), Map.of("method", "post")).method());
    }

    @Test
    void runPlanUsesTheProfileWhenGiven() {
        RunPlan p = LoadGenConfig.load(null, Map.of(),
                Map.of("profile", "steps:100@10s,200@5s", "rate", "7", "arrival", "constant", "seed", "99")).runPlan();
        assertEquals(new StepRate(List.of(new StepRate.Step(100, Duration.ofSeconds(10)),
                new StepRate.Step(200, Duration.ofSeconds(5)))), p.profile());
        assertEquals(Arrival.CONSTANT, p.arrival());
        assertEquals(99, p.seed());
        assertEquals(Duration.ofSeconds(60), p.duration());
    }

    @Test
    void runPlanUsesAConstantRateOtherwise() {
        RunPlan p = LoadGenConfig.load(null, Map.of("LOADGEN_RATE", "42"), Map.of()).runPlan();
        assertEquals(new ConstantRate(42), p.profile());
        assertEquals(Arrival.POISSON, p.arrival());
        assertEquals(Optional.of(Duration.ofSeconds(60)), p.length());
    }

    @Test
    void zeroDurationMeansEmpty() {
        LoadGenConfig c = LoadGenConfig.load(null, Map.of(), Map.of("duration", "0", "profile", "ramp:0..10@30s"));
        assertEquals(Optional.empty(), c.duration());
        RunPlan p = c.runPlan();
        assertNull(p.duration());
        assertEquals(new RampRate(0, 10, Duration.ofSeconds(30)), p.profile());
        assertEquals(Optional.of(Duration.ofSeconds(30)), p.length(), "the profile's own length");
        assertEquals(Optional.empty(), LoadGenConfig.load(null, Map.of(), Map.of("duration", "0")).runPlan().length(),
                "a constant rate without duration runs until stopped");
        assertEquals(Optional.of(Duration.ofSeconds(90)),
                LoadGenConfig.load(null, Map.of(), Map.of("duration", "90")).duration(), "bare seconds");
    }
}
