package io.loadgen.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.ServerSettings;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.testing.BadInputs;
import io.loadgen.server.testing.BrightnessModel;
import io.loadgen.server.testing.Images;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The wire contract over real HTTP on loopback, with a small real model. */
class ServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;

    private InferenceServer start(ServerConfig.Builder cfg, long fixedMs, long perImageMs) throws Exception {
        ServerConfig config = cfg.host("127.0.0.1").port(0).build();
        server = InferenceServer.start(config, maxBatch -> new BrightnessModel(fixedMs, perImageMs));
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> post(String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve("/v1/classify"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode e = json(r).get("error");
        assertNotNull(e, r.body());
        assertEquals(code, e.get("code").asText(), r.body());
        assertFalse(e.get("message").asText().isBlank());
    }

    @Test
    void classifiesRawAndBase64ImagesWithTheContractFields() throws Exception {
        start(ServerConfig.custom(), 0, 0);
        HttpResponse<String> r = post("image/png", Images.grey(200, 16, 16, "png"), "X-Request-Id", "abc-1");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("abc-1", r.headers().firstValue("X-Request-Id").orElse(null));
        JsonNode body = json(r);
        assertEquals("abc-1", body.get("id").asText());
        assertEquals("brightness", body.get("model").asText());
        JsonNode top = body.get("predictions").get(0);
        assertEquals(7, top.get("class_id").asInt(), "mean 200/255 = 0.78 is level 7");
        assertEquals("level_7", top.get("label").asText());
        assertEquals(5, body.get("predictions").size(), "default top_k");
        for (String t : List.of("queue_ms", "batch_size", "inference_ms", "total_ms")) {
            assertTrue(body.get("timing").has(t), t);
        }

        String b64 = Base64.getEncoder().encodeToString(Images.grey(20, 16, 16, "jpg"));
        HttpResponse<String> j = post("application/json", ("{\"image\":\"" + b64 + "\",\"top_k\":3}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, j.statusCode(), j.body());
        assertEquals(3, json(j).get("predictions").size());
        assertEquals(0, json(j).get("predictions").get(0).get("class_id").asInt());
        assertFalse(json(j).get("id").asText().isBlank(), "an id is made up when none is given");
    }

    @Test
    void thresholdsApplyAfterTopKAndANaNScoreIsNeverReturned() throws Exception {
        float[] min = new float[10];
        java.util.Arrays.fill(min, Float.NaN);
        min[7] = 0.99f; // level_7, the best class of a 200/255 grey, is held back
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).build(),
                maxBatch -> new BrightnessModel(0, 0).thresholds(io.loadgen.server.model.Thresholds.of(min))
                        .nanForLastClass());
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        HttpResponse<String> r = post("image/png", Images.grey(200, 16, 16, "png"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode preds = json(r).get("predictions");
        // the top 5 (level_7, 8, 6, 5, 4; the NaN of level_9 ranks last) less level_7: no refill to 5
        assertEquals(4, preds.size(), preds.toString());
        assertEquals(8, preds.get(0).get("class_id").asInt(), preds.toString());
        HttpResponse<String> all = post("application/json", ("{\"image\":\""
                + Base64.getEncoder().encodeToString(Images.grey(200, 16, 16, "png")) + "\",\"top_k\":10}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, all.statusCode(), all.body());
        JsonNode every = json(all).get("predictions");
        assertEquals(8, every.size(), "10 classes less level_7 (under its threshold) and level_9 (NaN): " + every);
        for (JsonNode p : every) {
            assertTrue(p.get("class_id").asInt() != 9 && Double.isFinite(p.get("score").asDouble()), every.toString());
        }
    }

    @Test
    void badInputGetsTheRight4xxAndTheServerKeepsServing() throws Exception {
        start(ServerConfig.custom().maxBodyBytes(64 * 1024), 0, 0);
        List<io.loadgen.server.testing.BadInputs.Case> corpus = io.loadgen.server.testing.BadInputs.corpus(8,
                64 * 1024, 10);
        for (io.loadgen.server.testing.BadInputs.Case c : corpus) {
            assertError(post(c.contentType(), c.body(), c.headers().toArray(String[]::new)), c.status(), c.code());
        }
        assertError(get("/v1/nothing"), 404, "not_found");

        HttpResponse<String> ok = post("image/png", Images.grey(20, 8, 8, "png"));
        assertEquals(200, ok.statusCode(), "still serving after bad input: " + ok.body());
        String metrics = get("/metrics").body();
        assertEquals(0, counter(metrics, "inference_requests_total\\{status=\"500\"\\}"), "no 500 at all");
        assertTrue(counter(metrics, "inference_requests_total\\{status=\"400\"\\}") >= corpus.size() - 3, metrics);
    }

    static List<Arguments> tooManyParts() {
        return BadInputs.tooManyParts(8).stream().map(c -> Arguments.of(c.name(), c)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tooManyParts")
    void aMultipartBodyOfTooManyPartsGets413TooManyItemsAndTheServerKeepsServing(String name, BadInputs.Case c)
            throws Exception {
        start(ServerConfig.custom(), 0, 0); // the default maxItemsPerRequest (256) and body limit (10 MB)
        HttpResponse<String> r = post(c.contentType(), c.body());
        assertError(r, c.status(), c.code());
        String message = json(r).get("error").get("message").asText();
        assertTrue(message.contains(Integer.toString(ServerSettings.MAX_ITEMS.defaultValue()))
                && message.contains("maxItemsPerRequest"), "the message names the limit and its setting: " + message);
        // the body was not read to its end: the connection closes, and the answer says so (no client reuses it)
        assertEquals("close", r.headers().firstValue("Connection").orElse(null), r.headers().map().toString());

        HttpResponse<String> ok = post("multipart/form-data; boundary=" + BadInputs.BOUNDARY, BadInputs.multipart(
                List.of(BadInputs.Part.file("image", "a.png", Images.grey(20, 8, 8, "png")), BadInputs.Part.file(
                        "image", "b.png", Images.grey(240, 8, 8, "png")), BadInputs.Part.field("top_k", "2"))));
        assertEquals(200, ok.statusCode(), "still serving multipart bodies: " + ok.body());
        JsonNode results = json(ok).get("results");
        assertEquals(2, results.size(), ok.body());
        assertEquals(9, results.get(1).get("predictions").get(0).get("class_id").asInt(), ok.body());
        assertEquals(2, results.get(1).get("predictions").size(), "the form's top_k: " + ok.body());
        assertEquals(200, post("image/png", Images.grey(20, 8, 8, "png")).statusCode(), "still serving images");
        String metrics = get("/metrics").body();
        assertEquals(0, counter(metrics, "inference_requests_total\\{status=\"500\"\\}"), "no 500 at all");
        assertEquals(1, counter(metrics, "inference_requests_total\\{status=\"413\"\\}"), metrics);
    }

    @Test
    void healthModelsAndMetricsEndpoints() throws Exception {
        start(ServerConfig.custom(), 0, 0);
        assertEquals(200, get("/health/live").statusCode());
        assertEquals(200, get("/health/ready").statusCode());
        assertTrue(json(get("/health")).get("result").asBoolean());
        JsonNode m = json(get("/v1/models")).get("models").get(0);
        assertEquals("brightness", m.get("name").asText());
        assertEquals("[8,8,1]", m.get("input_shape").toString());
        assertEquals(10, m.get("classes").size());
        assertEquals("CPU", m.get("device").asText());
        assertEquals(8, m.get("batching").get("max_batch").asInt());
        HttpResponse<String> metrics = get("/metrics");
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String name : List.of("inference_queue_depth", "inference_batch_size", "inference_rejections_total",
                "inference_ready")) {
            assertTrue(metrics.body().contains(name), name + " in " + metrics.body());
        }
        // the JVM and the process, from Micrometer's binders, with values that mean something
        Matcher heap = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"\\}\\s+([0-9.eE+-]+)$")
                .matcher(metrics.body());
        double heapUsed = 0;
        while (heap.find()) {
            heapUsed += Double.parseDouble(heap.group(1));
        }
        assertTrue(heapUsed > 0, "heap in use, summed over its pools: " + metrics.body());
        assertTrue(counter(metrics.body(), "jvm_threads_live_threads") >= 8, "Jetty's threads at least");
        assertTrue(counter(metrics.body(), "process_uptime_seconds") > 0, metrics.body());
        for (String name : List.of("jvm_gc_", "process_cpu_usage", "system_cpu_count", "jvm_classes_loaded_classes",
                "process_files_open_files")) {
            assertTrue(metrics.body().contains(name), name + " in " + metrics.body());
        }
    }

    @Test
    void notReadyUntilTheModelIsLoaded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).build(), maxBatch -> {
            release.await(30, TimeUnit.SECONDS);
            return new BrightnessModel(0, 0);
        });
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(503, ready.statusCode());
        assertEquals(200, get("/health/live").statusCode());
        HttpResponse<String> r = post("image/png", Images.grey(20, 8, 8, "png"));
        assertError(r, 503, "not_ready");
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        release.countDown();
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        assertEquals(200, get("/health/ready").statusCode());
        assertEquals(200, post("image/png", Images.grey(20, 8, 8, "png")).statusCode());
    }

    @Test
    void aBurstFarAboveCapacityGetsFast503sAndEveryAcceptedRequestCompletes() throws Exception {
        start(ServerConfig.custom().batcher(BatcherConfig.custom().maxBatch(2).maxDelay(Duration.ofMillis(1))
                .queueCapacity(4).build()), 20, 0);
        byte[] png = Images.grey(120, 8, 8, "png");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(server.baseUri().resolve("/v1/classify"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int busy = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
                assertEquals(5, json(r).get("predictions").get(0).get("class_id").asInt() + 1);
            } else {
                assertError(r, 503, "queue_full");
                long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retry >= 1, "Retry-After in whole seconds");
                busy++;
            }
        }
        assertEquals(120, ok + busy, "no other status, no 500");
        assertTrue(busy > 0, "the small queue overflowed");
        assertTrue(ok >= 4, "accepted requests completed: " + ok);
    }

    @Test
    void deadlinesGive504WithoutRunning() throws Exception {
        start(ServerConfig.custom().batcher(BatcherConfig.custom().maxBatch(1).maxDelay(Duration.ZERO).build()),
                200, 0);
        byte[] png = Images.grey(120, 8, 8, "png");
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(
                server.baseUri().resolve("/v1/classify")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
        TimeUnit.MILLISECONDS.sleep(50);
        HttpResponse<String> late = post("image/png", png, "X-Deadline-Ms", "20");
        assertError(late, 504, "deadline_exceeded");
        assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void underConcurrentLoadBatchesFormAndTheMeanBatchSizeRisesAboveOne() throws Exception {
        start(ServerConfig.custom().batcher(BatcherConfig.custom().maxBatch(8).maxDelay(Duration.ofMillis(5))
                .queueCapacity(512).build()), 10, 1);
        byte[] png = Images.grey(60, 8, 8, "png");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(server.baseUri().resolve("/v1/classify"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            if (i % 20 == 0) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertEquals(200, f.get(60, TimeUnit.SECONDS).statusCode());
        }
        String metrics = get("/metrics").body();
        double sum = counter(metrics, "inference_batch_size_sum");
        double count = counter(metrics, "inference_batch_size_count");
        assertEquals(200, sum, 1e-9, "every image went through a batch");
        assertTrue(sum / count > 1.5, "mean batch size " + sum / count + " from /metrics");
    }

    @Test
    void shutdownDrainsEveryAcceptedRequest() throws Exception {
        start(ServerConfig.custom().drainTimeout(Duration.ofSeconds(20)).batcher(BatcherConfig.custom().maxBatch(4)
                .maxDelay(Duration.ofMillis(2)).queueCapacity(100).build()), 50, 0);
        byte[] png = Images.grey(120, 8, 8, "png");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(server.baseUri().resolve("/v1/classify"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        TimeUnit.MILLISECONDS.sleep(200); // all 40 are in: 10 batches of 50 ms take 500 ms
        server.close();
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "an accepted request was lost in shutdown: " + r.body());
            ok++;
        }
        assertEquals(40, ok);
        server = null;
    }

    private static double counter(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\s+([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
