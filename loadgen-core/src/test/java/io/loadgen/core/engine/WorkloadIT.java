package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.LoopbackServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.nio.AsyncRequestConsumer;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncResponseBuilder;
import org.apache.hc.core5.http.nio.support.BasicRequestConsumer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.ListenerEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Methods, headers, body templates, payload files and HTTP/2 reach a real server as configured. */
class WorkloadIT {

    private static RunSummary run(Workload w, double rate, int count, TransportConfig t) throws InterruptedException {
        LoadGenerator gen = LoadGenerator.builder(w)
                .transport(t)
                // one at a time, so that the server sees requests in the order they were made
                .engine(EngineConfig.custom().maxInFlight(1).build())
                .plan(new RunPlan(new ConstantRate(rate), Arrival.CONSTANT, 1,
                        Duration.ofMillis(Math.round(count * 1000.0 / rate) - 1)))
                .build();
        gen.start();
        assertTrue(gen.awaitEnd(Duration.ofSeconds(30)));
        return gen.summary();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void payloadFilesAreSentInOrderWithContentTypesFromTheirExtensions(TransportConfig.Kind kind, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.json"), "{\"a\":1}");
        Files.write(dir.resolve("b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.writeString(dir.resolve("c.txt"), "see");
        Files.writeString(dir.resolve(".hidden"), "skipped");
        try (LoopbackServer server = LoopbackServer.start(r -> 200, true)) {
            Workload w = Workload.builder(server.uri("/v1/classify")).payloads(Payload.read(dir, null)).build();
            assertEquals("POST", w.method());
            RunSummary s = run(w, 50, 7, TransportConfig.custom().kind(kind).build());
            assertEquals(7, s.counts().ok());
            List<LoopbackServer.Received> got = server.received();
            String[] types = {"application/json", "image/png", "text/plain"};
            byte[][] bodies = {Files.readAllBytes(dir.resolve("a.json")), Files.readAllBytes(dir.resolve("b.png")),
                    Files.readAllBytes(dir.resolve("c.txt"))};
            for (int i = 0; i < 7; i++) {
                assertEquals("POST", got.get(i).method());
                assertArrayEquals(bodies[i % 3], got.get(i).body(), "body of request " + i);
                assertTrue(got.get(i).headers().get("Content-Type").startsWith(types[i % 3]),
                        "content type of request " + i + ": " + got.get(i).headers().get("Content-Type"));
            }
        }
    }

    @Test
    void randomPayloadOrderIsReproducibleFromItsSeed(@TempDir Path dir) throws Exception {
        for (String n : List.of("0", "1", "2", "3")) {
            Files.writeString(dir.resolve(n + ".txt"), n);
        }
        List<Payload> payloads = Payload.read(dir, "text/plain");
        String first = bodies(Workload.builder(URI.create("http://127.0.0.1/")).payloads(payloads)
                .payloadOrder(Workload.PayloadOrder.RANDOM).seed(7).build(), 40);
        String again = bodies(Workload.builder(URI.create("http://127.0.0.1/")).payloads(payloads)
                .payloadOrder(Workload.PayloadOrder.RANDOM).seed(7).build(), 40);
        String other = bodies(Workload.builder(URI.create("http://127.0.0.1/")).payloads(payloads)
                .payloadOrder(Workload.PayloadOrder.RANDOM).seed(8).build(), 40);
        assertEquals(first, again);
        assertNotEquals(first, other);
        assertNotEquals("0123".repeat(10), first, "not sequential");
        for (String n : List.of("0", "1", "2", "3")) {
            assertTrue(first.contains(n), "every payload is used: " + first);
        }
    }

    private static String bodies(Workload w, int n) {
        Workload.RequestSource src = w.newSource();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(new String(src.next().body().toArray(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void headerAndBodyTemplatesAreFilledPerRequest(TransportConfig.Kind kind) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(r -> 200, true)) {
            Workload w = Workload.builder(server.uri("/t")).method("put").header("X-Request-Id", "req-${seq}")
                    .header("X-Static", "same").body("{\"n\":${seq}}", null).build();
            RunSummary s = run(w, 50, 5, TransportConfig.custom().kind(kind).build());
            assertEquals(5, s.counts().ok());
            List<LoopbackServer.Received> got = server.received();
            for (int i = 0; i < 5; i++) {
                assertEquals("PUT", got.get(i).method());
                assertEquals("req-" + i, got.get(i).headers().get("X-Request-Id"));
                assertEquals("same", got.get(i).headers().get("X-Static"));
                assertEquals("{\"n\":" + i + "}", new String(got.get(i).body(), StandardCharsets.UTF_8));
                assertTrue(got.get(i).headers().get("Content-Type").startsWith("application/json"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportConfig.Kind.class, names = {"LEAN", "HTTPCLIENT"})
    void aBodyTemplateIsRenderedOncePerPayloadFileWithItsBase64NameAndLabel(TransportConfig.Kind kind,
            @TempDir Path dir) throws Exception {
        // the ImageFolder layout: DIR/<label>/<file>
        Files.createDirectories(dir.resolve("cat"));
        Files.createDirectories(dir.resolve("dog"));
        byte[] cat = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3};
        byte[] dog = {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xFE};
        Files.write(dir.resolve("cat/c1.jpg"), cat);
        Files.write(dir.resolve("dog/d1.png"), dog);
        List<Payload> payloads = Payload.read(dir, null);
        assertEquals(List.of("cat/c1.jpg", "dog/d1.png"), payloads.stream().map(Payload::name).toList());
        assertEquals(List.of("cat", "dog"), payloads.stream().map(p -> p.label().orElseThrow()).toList());
        try (LoopbackServer server = LoopbackServer.start(r -> 200, true)) {
            Workload w = Workload.builder(server.uri("/v1/models/m:predict")).payloads(payloads)
                    .header("X-Label", "${label}")
                    .body("{\"instances\": [{\"b64\": \"${payload_b64}\"}], \"name\": \"${payload_name}\","
                            + " \"n\": ${seq}}", null).build();
            RunSummary s = run(w, 50, 4, TransportConfig.custom().kind(kind).build());
            assertEquals(4, s.counts().ok());
            List<LoopbackServer.Received> got = server.received();
            for (int i = 0; i < 4; i++) {
                byte[] bytes = i % 2 == 0 ? cat : dog;
                String name = i % 2 == 0 ? "cat/c1.jpg" : "dog/d1.png";
                assertEquals("{\"instances\": [{\"b64\": \"" + java.util.Base64.getEncoder().encodeToString(bytes)
                        + "\"}], \"name\": \"" + name + "\", \"n\": " + i + "}",
                        new String(got.get(i).body(), StandardCharsets.UTF_8), "request " + i);
                assertEquals(i % 2 == 0 ? "cat" : "dog", got.get(i).headers().get("X-Label"));
                assertTrue(got.get(i).headers().get("Content-Type").startsWith("application/json"),
                        "the template's type, not the files'");
            }
        }
    }

    @Test
    void aTemplateOfPayloadVariablesOnlyIsOneRequestPerPayload(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.jpg"), "A");
        Files.writeString(dir.resolve("b.jpg"), "B");
        Files.writeString(dir.resolve(Payload.LABELS_FILE), "file,label\na.jpg,7\nb.jpg,\"Ankle boot\"\n");
        List<Payload> payloads = Payload.read(dir, null);
        assertEquals(2, payloads.size(), "labels.csv is not a payload");
        assertEquals("Ankle boot", payloads.get(1).label().orElseThrow());
        Workload w = Workload.builder(URI.create("http://127.0.0.1/")).payloads(payloads)
                .body("{\"img_data\": \"${payload_b64}\", \"label\": \"${label}\"}", null).build();
        Workload.RequestSource src = w.newSource();
        Request first = src.next();
        src.next();
        assertSame(first, src.next(), "no per-request variable: the same Request for a payload every time, so"
                + " that a transport encodes it once");
        assertEquals("{\"img_data\": \"QQ==\", \"label\": \"7\"}", new String(first.body().toArray(),
                StandardCharsets.UTF_8));
    }

    @Test
    void payloadVariablesWithoutPayloadsOrLabelsAreRefusedNamingWhatIsMissing(@TempDir Path dir) throws Exception {
        IllegalArgumentException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Workload.builder(URI.create("http://127.0.0.1/")).body("${payload_b64}", null).build());
        assertTrue(none.getMessage().contains("--payload"), none.getMessage());
        Files.writeString(dir.resolve("a.jpg"), "A");
        IllegalArgumentException unlabelled = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Workload.builder(URI.create("http://127.0.0.1/"))
                        .payloads(Payload.read(dir, null)).body("${label}", null).build());
        assertTrue(unlabelled.getMessage().contains("a.jpg has no label"), unlabelled.getMessage());
        Files.writeString(dir.resolve("b.jpg"), "B");
        Files.writeString(dir.resolve(Payload.LABELS_FILE), "a.jpg,1\n");
        IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Payload.read(dir, null));
        assertTrue(missing.getMessage().contains("no label for b.jpg"), missing.getMessage());
        Files.writeString(dir.resolve(Payload.LABELS_FILE), "a.jpg,1\nb.jpg,2\nc.jpg,3\n");
        IllegalArgumentException extra = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Payload.read(dir, null));
        assertTrue(extra.getMessage().contains("lists c.jpg"), extra.getMessage());
        IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Workload.builder(URI.create("http://127.0.0.1/"))
                        .body("${payload}", null));
        assertTrue(unknown.getMessage().contains("${payload_b64}"), "the message lists the variables: "
                + unknown.getMessage());
    }

    @Test
    void http2SpeaksH2cToAnHttp2OnlyServer() throws Exception {
        Set<String> versions = ConcurrentHashMap.newKeySet();
        HttpAsyncServer server = H2ServerBootstrap.bootstrap()
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
                .setCanonicalHostName("127.0.0.1")
                .register("*", new AsyncServerRequestHandler<Message<HttpRequest, Void>>() {
                    @Override
                    public AsyncRequestConsumer<Message<HttpRequest, Void>> prepare(HttpRequest request,
                            EntityDetails entityDetails, HttpContext context) {
                        return new BasicRequestConsumer<>(entityDetails == null ? null
                                : new DiscardingEntityConsumer<>());
                    }

                    @Override
                    public void handle(Message<HttpRequest, Void> message, ResponseTrigger trigger,
                            HttpContext context) throws org.apache.hc.core5.http.HttpException, IOException {
                        versions.add(String.valueOf(context.getProtocolVersion()));
                        trigger.submitResponse(AsyncResponseBuilder.create(200).setEntity("ok").build(), context);
                    }
                })
                .create();
        server.start();
        try {
            ListenerEndpoint ep = server.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    URIScheme.HTTP).get();
            int port = ((InetSocketAddress) ep.getAddress()).getPort();
            LoadGenerator gen = LoadGenerator.builder(Workload.builder(URI.create("http://127.0.0.1:" + port + "/h2"))
                            .build())
                    .transport(TransportConfig.custom().httpVersion(TransportConfig.HttpVersion.HTTP_2).build())
                    .plan(new RunPlan(new ConstantRate(500), Arrival.POISSON, 3, Duration.ofSeconds(2)))
                    .build();
            gen.start();
            assertTrue(gen.awaitEnd(Duration.ofSeconds(30)));
            RunSummary s = gen.summary();
            assertTrue(s.counts().scheduled() > 800, "scheduled " + s.counts().scheduled());
            assertEquals(s.counts().scheduled(), s.counts().ok(), () -> "errors: " + s.counts().errors());
            assertEquals(Set.of("HTTP/2.0"), versions);
        } finally {
            server.close(CloseMode.IMMEDIATE);
        }
    }
}
