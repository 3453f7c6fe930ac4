package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.metrics.RunSummary;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks on every answer over real HTTP on loopback: a fixture classifier that answers each request's label back,
 * except every tenth request, which it answers wrong; the run's pass ratio must be 0.90 (+- 0.02), its failures
 * counted as error kind {@code check}, on both transports.
 */
class ResponseChecksIT {
    /** Answers {"predictions": [{"class_id": L}]} for a body {"label": "L"}, L + 1 for every tenth request. */
    private static HttpServer classifier(AtomicLong served) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        Pattern label = Pattern.compile("\"label\": \"(\\d+)\"");
        s.createContext("/classify", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = label.matcher(body);
            int l = m.find() ? Integer.parseInt(m.group(1)) : -1;
            long n = served.incrementAndGet();
            byte[] answer = ("{\"predictions\": [{\"class_id\": " + (n % 10 == 0 ? l + 1 : l) + ", \"score\": 0.9}]}")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        s.start();
        return s;
    }

    /** @return payloads labelled 0 to 4, one small file each (ImageFolder layout under {@code dir}) */
    private static List<Payload> labelled(Path dir) throws Exception {
        for (int l = 0; l < 5; l++) {
            Files.createDirectories(dir.resolve(Integer.toString(l)));
            Files.writeString(dir.resolve(l + "/img.bin"), "x" + l);
        }
        return Payload.read(dir, null);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void aClassifierWrongOneTimeInTenGivesAPassRatioOf090(TransportConfig.Kind kind, @TempDir Path dir)
            throws Exception {
        HttpServer server = classifier(new AtomicLong());
        try {
            Workload w = Workload.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/classify")).payloads(labelled(dir)).body("{\"label\": \"${label}\"}", null)
                    .checks(List.of("status==200", "json:/predictions/0/class_id==${label}")).build();
            LoadGenerator gen = LoadGenerator.builder(w)
                    .transport(TransportConfig.custom().kind(kind).build())
                    .plan(new RunPlan(new io.loadgen.core.schedule.ConstantRate(500), Arrival.CONSTANT, 1,
                            Duration.ofSeconds(4)))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(60)), "the run ends");
            RunSummary s = gen.summary();
            long responses = s.checks().passed() + s.checks().failed();
            assertTrue(responses > 1000, "enough answers to measure: " + responses);
            assertEquals(s.counts().completed(), responses, "every completed request was checked");
            assertEquals(0.90, s.checks().ratio(), 0.02, s.checks().toString());
            assertEquals(s.checks().failed(), s.counts().errors().check(), "a failed check is error kind check");
            assertEquals(s.counts().ok(), s.checks().passed());
            assertEquals(0, s.checks().failedByCheck().get("status==200"));
            assertTrue(s.checks().failedByCheck().get("json:/predictions/0/class_id==${label}")
                    >= s.checks().failed(), s.checks().toString());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aGeneratorRunTwiceCountsEachRunsCheckFailuresAlone(@TempDir Path dir) throws Exception {
        HttpServer server = classifier(new AtomicLong());
        try {
            String check = "json:/predictions/0/class_id==${label}";
            Workload w = Workload.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/classify")).payloads(labelled(dir)).body("{\"label\": \"${label}\"}", null)
                    .checks(List.of(check)).build();
            LoadGenerator gen = LoadGenerator.builder(w)
                    .plan(new RunPlan(new io.loadgen.core.schedule.ConstantRate(500), Arrival.CONSTANT, 1,
                            Duration.ofSeconds(2)))
                    .build();
            for (int run = 1; run <= 2; run++) {
                gen.start();
                assertTrue(gen.awaitEnd(Duration.ofSeconds(60)), "run " + run + " ends");
                RunSummary s = gen.summary();
                assertTrue(s.checks().failed() > 50, "run " + run + ": one answer in ten is wrong: " + s.checks());
                assertEquals(s.counts().completed(), s.checks().passed() + s.checks().failed(), "run " + run);
                assertEquals(s.checks().failed(), s.checks().failedByCheck().get(check), "run " + run + "'s"
                        + " failures by check are its own, none carried from the run before: " + s.checks());
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void checksAreParsedOrRefusedWithWhatIsAllowed() {
        for (String bad : List.of("status=200", "status==20", "json:predictions==1", "json:/a", "body~[",
                "latency<5ms")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ResponseChecks.parse(List.of(bad), List.of()), bad);
            assertTrue(e.getMessage().startsWith("bad --check '" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> ResponseChecks.parse(List.of("json:/a==${label}"), List.of()), "a label needs payloads");
        ResponseChecks.Tally c = ResponseChecks.parse(List.of("status==2xx", "json:/n==3", "json:/s exists",
                "body~\"s\": *\"x+\""), List.of()).newTally();
        byte[] right = "{\"n\": 3.0, \"s\": \"xxx\"}".getBytes(StandardCharsets.UTF_8);
        assertTrue(c.check(201, right, -1), "3.0 equals 3 as a number");
        assertTrue(!c.check(500, right, -1));
        assertTrue(!c.check(200, "{\"n\": 4, \"s\": \"x\"}".getBytes(StandardCharsets.UTF_8), -1));
        assertTrue(!c.check(200, "{\"n\": 3}".getBytes(StandardCharsets.UTF_8), -1), "s missing");
        assertTrue(!c.check(200, "not json".getBytes(StandardCharsets.UTF_8), -1));
        assertEquals(1, c.passed());
        assertEquals(4, c.failed());
        assertEquals(List.of(1L, 2L, 2L, 2L), List.copyOf(c.failuresByCheck().values()),
                "status: the 500; n: 4 and not JSON; s: missing and not JSON; the regex: likewise");
    }

    @Test
    void aJsonValueMatchesARegexWithTheRequestsLabelTakenLiterally() {
        List<Payload> payloads = List.of(new Payload("a.png", new byte[1], "image/png", java.util.Optional.of("3")),
                new Payload("b.png", new byte[1], "image/png", java.util.Optional.of("1.5")));
        ResponseChecks.Tally c = ResponseChecks.parse(List.of("json:/outputs/0/data/0=~^[^:]*:${label}(:|$)"),
                payloads).newTally();
        byte[] three = "{\"outputs\": [{\"data\": [\"0.97:3:Dress\"]}]}".getBytes(StandardCharsets.UTF_8);
        assertTrue(c.check(200, three, 0), "index 3 for the payload labelled 3");
        assertTrue(!c.check(200, three, 1), "not for the payload labelled 1.5");
        assertTrue(!c.check(200, "{\"outputs\": [{\"data\": [\"0.97:13:Bag\"]}]}"
                .getBytes(StandardCharsets.UTF_8), 0), "13 is not 3: the regex anchors it");
        assertTrue(!c.check(200, "{\"outputs\": [{\"data\": [\"0.9:1x5\"]}]}".getBytes(StandardCharsets.UTF_8),
                1), "the label's '.' is literal, not any character");
        assertTrue(c.check(200, "{\"outputs\": [{\"data\": [\"0.9:1.5\"]}]}".getBytes(StandardCharsets.UTF_8),
                1));
        assertTrue(!c.check(200, "{}".getBytes(StandardCharsets.UTF_8), 0), "no value there");
        assertEquals(2, c.passed());
        assertEquals(4, c.failed());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResponseChecks.parse(List.of("json:/a=~("), List.of()));
        assertTrue(e.getMessage().contains("does not compile"), e.getMessage());
    }
}
