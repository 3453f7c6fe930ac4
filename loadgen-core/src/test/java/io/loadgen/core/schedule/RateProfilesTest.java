package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RateProfilesTest {

    private static StepRate.Step step(double rate, Duration length) {
        return new StepRate.Step(rate, length);
    }

    private static IllegalArgumentException rejects(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> RateProfiles.parse(spec), spec);
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.toLowerCase().contains(part.toLowerCase()),
                    "message should mention '" + part + "': " + message);
        }
    }

    // ------------------------------------------------------------------ the documented forms

    @Test
    void bareAndConstantRates() {
        assertEquals(new ConstantRate(100), RateProfiles.parse("100"));
        assertEquals(new ConstantRate(100), RateProfiles.parse("constant:100"));
        assertEquals(new ConstantRate(100), RateProfiles.parse(" constant: 100 "));
        assertEquals(new ConstantRate(0.1), RateProfiles.parse("0.1"));
        assertEquals(new ConstantRate(250), RateProfiles.parse("250/s"));
        assertEquals(new ConstantRate(0), RateProfiles.parse("0"));
        assertEquals(new ConstantRate(RateProfile.MAX_RATE), RateProfiles.parse("1000000"));
    }

    @Test
    void constantProfileProperties() {
        RateProfile p = RateProfiles.parse("100");
        assertEquals(100, p.rateAt(Duration.ZERO));
        assertEquals(100, p.rateAt(Duration.ofHours(5)));
        assertEquals(100, p.peakRate());
        assertEquals(Optional.empty(), p.length());
        assertEquals(ChronoDurations.FOREVER, p.constantUntil(Duration.ofSeconds(3)));
    }

    @Test
    void steps() {
        RateProfile p = RateProfiles.parse("steps:100@10s,200@5s");
        assertEquals(new StepRate(List.of(step(100, Duration.ofSeconds(10)), step(200, Duration.ofSeconds(5)))), p);
        assertEquals(Optional.of(Duration.ofSeconds(15)), p.length());
        assertEquals(200, p.peakRate());
        assertEquals(100, p.rateAt(Duration.ZERO));
        assertEquals(100, p.rateAt(Duration.ofMillis(9_999)));
        assertEquals(200, p.rateAt(Duration.ofSeconds(10)));
        assertEquals(200, p.rateAt(Duration.ofSeconds(100)), "the last step is held");
        assertEquals(Duration.ofSeconds(10), p.constantUntil(Duration.ofSeconds(3)));
        assertEquals(ChronoDurations.FOREVER, p.constantUntil(Duration.ofSeconds(10)));
    }

    @Test
    void stepsPeakIsTheHighestNotTheLast() {
        RateProfile p = RateProfiles.parse("steps:100@10s,500@10s,200@30s");
        assertEquals(500, p.peakRate());
        assertEquals(Optional.of(Duration.ofSeconds(50)), p.length());
    }

    @Test
    void ramp() {
        RateProfile p = RateProfiles.parse("ramp:10..1000@60s");
        assertEquals(new RampRate(10, 1000, Duration.ofSeconds(60)), p);
        assertEquals(Optional.of(Duration.ofSeconds(60)), p.length());
        assertEquals(1000, p.peakRate());
        assertEquals(10, p.rateAt(Duration.ZERO), 1e-9);
        assertEquals(505, p.rateAt(Duration.ofSeconds(30)), 1e-9);
        assertEquals(1000, p.rateAt(Duration.ofSeconds(60)), 1e-9);
        assertEquals(1000, p.rateAt(Duration.ofSeconds(600)), 1e-9);
        Duration until = p.constantUntil(Duration.ofSeconds(1));
        assertTrue(until.compareTo(Duration.ofSeconds(1)) > 0
                && until.compareTo(Duration.ofSeconds(1).plusMillis(10)) <= 0, until.toString());
        assertEquals(1000, RateProfiles.parse("ramp:1000..10@60s").peakRate(), "a falling ramp peaks at its start");
    }

    @Test
    void sine() {
        RateProfile p = RateProfiles.parse("sine:500,300,30s");
        assertEquals(new SineRate(500, 300, Duration.ofSeconds(30)), p);
        assertEquals(Optional.empty(), p.length());
        assertEquals(800, p.peakRate());
        assertEquals(500, p.rateAt(Duration.ZERO), 1e-9);
        assertEquals(800, p.rateAt(Duration.ofMillis(7_500)), 1e-9);
        assertEquals(200, p.rateAt(Duration.ofMillis(22_500)), 1e-9);
        assertEquals(800, p.rateAt(Duration.ofMillis(37_500)), 1e-9, "periodic");
    }

    @Test
    void traceOfRates(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.txt");
        Files.writeString(f, "# comment\n100\n\n250.5\n0\n");
        RateProfile p = RateProfiles.parse("trace:rates=" + f);
        TraceRate t = assertInstanceOf(TraceRate.class, p);
        assertArrayEquals(new double[] {100, 250.5, 0}, t.rates());
        assertEquals(Duration.ofSeconds(1), t.bin());
        assertEquals(Optional.of(Duration.ofSeconds(3)), p.length());
        assertEquals(250.5, p.peakRate());
        assertEquals(250.5, p.rateAt(Duration.ofMillis(1500)));
        assertEquals(0, p.rateAt(Duration.ofSeconds(99)), "the last bin is held");
        assertEquals("trace:rates=" + f, p.spec());
        assertEquals(p, RateProfiles.readTrace("rates", f));
    }

    @Test
    void traceOfTimestamps(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.txt");
        // bins of 10 ms: bin 0 holds 2, bin 1 none, bin 2 holds 3
        Files.writeString(f, "0.001\n0.0051\n0.021\n0.025\n0.0255\n");
        RateProfile p = RateProfiles.parse("trace:timestamps=" + f);
        TraceRate t = assertInstanceOf(TraceRate.class, p);
        assertEquals(RateProfiles.TIMESTAMP_BIN, t.bin());
        assertArrayEquals(new double[] {200, 0, 300}, t.rates(), 1e-6);
        assertEquals(Optional.of(Duration.ofMillis(30)), p.length());
        assertEquals(300, p.peakRate(), 1e-6);
        assertEquals("trace:timestamps=" + f, p.spec());
    }

    @Test
    void timestampsOnABinBoundaryGoToTheBinTheyStart(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "0.0\n0.29\n");
        TraceRate t = RateProfiles.readTrace("timestamps", f);
        double[] expected = new double[30];
        expected[0] = 100;
        expected[29] = 100;
        assertArrayEquals(expected, t.rates(), 1e-6);
    }

    @Test
    void traceRatesArraysAreCopied() {
        double[] rates = {1, 2, 3};
        TraceRate t = new TraceRate("", Duration.ofSeconds(1), rates);
        rates[0] = 99;
        assertEquals(1, t.rates()[0]);
        t.rates()[1] = 99;
        assertEquals(2, t.rates()[1]);
    }

    // ------------------------------------------------------------------ spec() round trips

    @ParameterizedTest
    @ValueSource(strings = {"100", "constant:100", "0.1", "constant:0.001", "1000000", "steps:100@10s,200@5s",
            "steps:100@10s,200@10s,500@30s", "steps:0.5@250ms,7@2m,3@1h", "ramp:10..1000@60s", "ramp:1000..0@90s",
            "ramp:0..1.5@1.5s", "sine:500,300,30s", "sine:10,0,250ms", "sine:2.5,2.5,45s"})
    void specRoundTrips(String spec) {
        RateProfile p = RateProfiles.parse(spec);
        assertEquals(p, RateProfiles.parse(p.spec()), p.spec());
    }

    @Test
    void specIsTheDocumentedSyntax() {
        assertEquals("constant:100", new ConstantRate(100).spec());
        assertEquals("constant:0.1", new ConstantRate(0.1).spec());
        assertEquals("steps:100@10s,200@5s", RateProfiles.parse("steps:100@10s,200@5s").spec());
        assertEquals("ramp:10..1000@60s", RateProfiles.parse("ramp:10..1000@60s").spec());
        assertEquals("sine:500,300,30s", RateProfiles.parse("sine:500,300,30s").spec());
    }

    @ParameterizedTest
    @ValueSource(strings = {"steps:100@200s", "steps:100@125.5s", "ramp:0..100@1234567us", "sine:5,1,1.0005s"})
    void specRoundTripsForAnyDuration(String spec) {
        RateProfile p = RateProfiles.parse(spec);
        assertEquals(p, RateProfiles.parse(p.spec()), p.spec());
    }

    @Test
    void traceSpecWithoutSourceDescribesTheBins() {
        TraceRate t = new TraceRate(null, Duration.ofMillis(10), new double[] {1, 2});
        assertEquals("", t.source());
        assertTrue(t.spec().startsWith("trace:"), t.spec());
        assertTrue(t.spec().contains("2"), t.spec());
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void negativeRate() {
        assertContains(rejects("-5").getMessage(), "-5", "[0, 1000000]");
        assertContains(rejects("constant:-0.1").getMessage(), "-0.1");
        assertContains(rejects("steps:100@1s,-3@1s").getMessage(), "-3");
    }

    @Test
    void nanAndInfinity() {
        assertContains(rejects("NaN").getMessage(), "NaN", "finite");
        assertContains(rejects("Infinity").getMessage(), "Infinity", "finite");
        assertContains(rejects("ramp:0..Infinity@10s").getMessage(), "Infinity");
    }

    @Test
    void rateAboveMax() {
        assertContains(rejects("1000001").getMessage(), "1000001", "1000000");
        assertThrows(IllegalArgumentException.class, () -> new ConstantRate(RateProfile.MAX_RATE * 2));
        // the sine's peak, not only its mean, is bounded
        assertContains(rejects("sine:900000,200000,10s").getMessage(), "peak");
    }

    @Test
    void unknownKind() {
        assertContains(rejects("square:1").getMessage(), "unknown", "square", "steps:", "ramp:");
    }

    @Test
    void stepsWithoutAt() {
        assertContains(rejects("steps:100").getMessage(), "100", "RATE@DURATION");
        assertContains(rejects("steps:100@10s,200").getMessage(), "'200'", "RATE@DURATION");
        assertContains(rejects("steps:100@0s").getMessage(), "step length");
    }

    @Test
    void badRampAndSineShapes() {
        assertContains(rejects("ramp:10-1000@60s").getMessage(), "FROM..TO@DURATION");
        assertContains(rejects("ramp:10..1000").getMessage(), "FROM..TO@DURATION");
        assertContains(rejects("ramp:10..1000@0s").getMessage(), "ramp length");
        assertContains(rejects("sine:500,300").getMessage(), "MEAN,AMPLITUDE,PERIOD");
        assertContains(rejects("sine:500,300,0s").getMessage(), "period");
        assertContains(rejects("steps:100@10parsecs").getMessage(), "10parsecs", "duration");
        assertContains(rejects("abc").getMessage(), "'abc' is not a rate");
    }

    @Test
    void sineAmplitudeAboveMean() {
        assertContains(rejects("sine:100,200,10s").getMessage(), "amplitude", "negative");
    }

    @Test
    void empty() {
        assertContains(rejects("").getMessage(), "empty", "steps:");
        assertContains(rejects("   ").getMessage(), "empty");
        assertContains(rejects(null).getMessage(), "empty");
    }

    @Test
    void traceWithANonNumberLineNamesTheLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.txt");
        Files.writeString(f, "# header\n100\n\n200\nlots\n300\n");
        IllegalArgumentException e = rejects("trace:rates=" + f);
        assertContains(e.getMessage(), "line 5", "'lots'", f.toString());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
                () -> RateProfiles.readTrace("timestamps", f));
        assertContains(direct.getMessage(), "line 5");
    }

    @Test
    void traceWithDecreasingTimestamps(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "0.1\n0.5\n0.3\n0.9\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RateProfiles.readTrace("timestamps", f));
        assertContains(e.getMessage(), "non-decreasing", "0.3", "0.5");
        Path neg = dir.resolve("neg.txt");
        Files.writeString(neg, "-0.1\n0.5\n");
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> RateProfiles.readTrace("timestamps", neg)).getMessage(), ">= 0");
    }

    @Test
    void otherTraceProblems(@TempDir Path dir) throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# nothing\n\n");
        assertContains(rejects("trace:rates=" + empty).getMessage(), "no values");
        assertContains(rejects("trace:rates=" + dir.resolve("missing.txt")).getMessage(), "cannot read");
        Path ok = dir.resolve("ok.txt");
        Files.writeString(ok, "1\n");
        assertContains(rejects("trace:bogus=" + ok).getMessage(), "bogus");
        assertContains(rejects("trace:" + ok).getMessage(), "rates=FILE");
        Path neg = dir.resolve("neg.txt");
        Files.writeString(neg, "5\n-1\n");
        assertContains(rejects("trace:rates=" + neg).getMessage(), "-1");
    }

    // ------------------------------------------------------------------ ChronoDurations

    @Test
    void durationsAsPeopleWriteThem() {
        assertEquals(Duration.ofMillis(250), ChronoDurations.parse("250ms", "s"));
        assertEquals(Duration.ofSeconds(10), ChronoDurations.parse("10s", "ms"));
        assertEquals(Duration.ofMillis(1500), ChronoDurations.parse("1.5s", "ms"));
        assertEquals(Duration.ofMinutes(2), ChronoDurations.parse("2m", "s"));
        assertEquals(Duration.ofHours(1), ChronoDurations.parse("1h", "s"));
        assertEquals(Duration.ofNanos(500_000), ChronoDurations.parse("500us", "s"));
        assertEquals(Duration.ofNanos(42), ChronoDurations.parse("42ns", "s"));
        assertEquals(Duration.ofSeconds(10), ChronoDurations.parse("PT10S", "ms"));
        assertEquals(Duration.ofMinutes(1).plusSeconds(30), ChronoDurations.parse("pt1m30s", "ms"));
        assertEquals(Duration.ofSeconds(3), ChronoDurations.parse(" 3 s ", "ms"));
        assertEquals(Duration.ofMillis(3), ChronoDurations.parse("3MS", "s"));
        assertEquals(Duration.ZERO, ChronoDurations.parse("0", "s"));
    }

    @Test
    void bareNumbersAreInTheGivenUnit() {
        assertEquals(Duration.ofMillis(250), ChronoDurations.parse("250", "ms"));
        assertEquals(Duration.ofSeconds(250), ChronoDurations.parse("250", "s"));
        assertEquals(Duration.ofMillis(2500), ChronoDurations.parse("2.5", "s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10 parsecs", "-1s", "-5", "ms", "PTxyz", "PT-10S", "1e400s", "NaNs"})
    void badDurationsAreRejectedListingTheForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChronoDurations.parse(text, "ms"));
        assertContains(e.getMessage(), "'" + text + "'", "250ms", "10s", "1.5s", "2m", "1h", "bare number means ms");
    }

    @Test
    void nullDurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ChronoDurations.parse(null, "s"));
    }

    @Test
    void formatIsShortAndReadable() {
        assertEquals("850us", ChronoDurations.format(Duration.ofNanos(850_000)));
        assertEquals("12.5ms", ChronoDurations.format(Duration.ofNanos(12_500_000)));
        assertEquals("3s", ChronoDurations.format(Duration.ofSeconds(3)));
        assertEquals("2.5m", ChronoDurations.format(Duration.ofSeconds(150)));
        assertEquals("1.5s", ChronoDurations.format(Duration.ofMillis(1500)));
        assertEquals("forever", ChronoDurations.format(ChronoDurations.FOREVER));
        assertEquals(1.5, ChronoDurations.seconds(Duration.ofMillis(1500)));
        assertEquals(1500.0, ChronoDurations.millis(Duration.ofMillis(1500)));
        assertEquals(0.25, ChronoDurations.millis(Duration.ofNanos(250_000)));
    }
}
