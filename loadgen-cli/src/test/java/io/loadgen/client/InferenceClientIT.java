package io.loadgen.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.testing.BrightnessModel;
import io.loadgen.server.testing.Images;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed client against the real server on loopback. */
class InferenceClientIT {
    private static InferenceServer server;
    private static InferenceClient client;

    @BeforeAll
    static void start() throws Exception {
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0)
                .batcher(BatcherConfig.custom().maxBatch(1).maxDelay(Duration.ZERO).queueCapacity(2).build()).build(),
                maxBatch -> new BrightnessModel(30, 0));
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        client = InferenceClient.builder(server.baseUri()).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void classifiesFilesAndBytesSyncAndAsync(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("grey.png");
        Files.write(png, Images.grey(240, 8, 8, "png"));
        Classification c = client.classify(png);
        assertEquals("brightness", c.model());
        assertEquals(9, c.top().classId());
        assertEquals("level_9", c.top().label());
        assertEquals(1, c.timing().batchSize());
        assertTrue(c.timing().inference().toMillis() >= 30);

        Classification a = client.classifyAsync(Images.grey(10, 8, 8, "jpg"), "image/jpeg",
                new InferenceClient.Options(2, "batch", Duration.ofSeconds(5), "req-7")).get();
        assertEquals("req-7", a.id());
        assertEquals(2, a.predictions().size());
        assertEquals(0, a.top().classId());
        assertTrue(client.ready());
        assertEquals("brightness", client.models().path("models").get(0).path("name").asText());
    }

    @Test
    void errorsAreTyped() throws Exception {
        InferenceException.BadRequest bad = assertThrows(InferenceException.BadRequest.class,
                () -> client.classify("not an image".getBytes(), "image/png", InferenceClient.Options.DEFAULT));
        assertEquals(400, bad.status());
        assertEquals("bad_image", bad.code());
        assertFalse(bad.retryable());

        // 1 running + 2 queued fit; the rest of a burst is refused with a Retry-After
        List<CompletableFuture<Classification>> burst = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            burst.add(client.classifyAsync(Images.grey(100, 8, 8, "png"), "image/png", InferenceClient.Options.DEFAULT));
        }
        int unavailable = 0;
        for (CompletableFuture<Classification> f : burst) {
            try {
                f.get();
            } catch (ExecutionException e) {
                InferenceException.Unavailable u = assertInstanceOf(InferenceException.Unavailable.class, e.getCause());
                assertEquals("queue_full", u.code());
                assertTrue(u.retryAfter().isPresent() && u.retryAfter().get().getSeconds() >= 1);
                assertTrue(u.retryable());
                unavailable++;
            }
        }
        assertTrue(unavailable > 0, "the burst overflowed the queue of 2");

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        InferenceClient nowhere = InferenceClient.builder(URI.create("http://127.0.0.1:" + port)).build();
        InferenceException.Io io = assertThrows(InferenceException.Io.class, () -> nowhere.classify(
                Images.grey(1, 8, 8, "png"), "image/png", InferenceClient.Options.DEFAULT));
        assertEquals(0, io.status());
        assertFalse(nowhere.ready());
        assertThrows(IllegalArgumentException.class, () -> new InferenceClient.Options(1, "urgent", null, null));
    }

    @Test
    void manyImagesInOneRequestAnswerOneByOne() {
        byte[] good = Images.grey(240, 8, 8, "png");
        byte[] corrupt = java.util.Arrays.copyOf(good, good.length - 20);
        List<InferenceClient.ItemResult> r = client.classifyAll(List.of(good, corrupt),
                new InferenceClient.Options(3, null, null, "many-1"));
        assertEquals(2, r.size());
        assertEquals(9, r.get(0).classification().orElseThrow().top().classId());
        assertEquals(3, r.get(0).classification().orElseThrow().predictions().size());
        assertEquals("bad_image", r.get(1).errorCode().orElseThrow());
        assertTrue(r.get(1).classification().isEmpty());
        InferenceException.BadRequest tooMany = org.junit.jupiter.api.Assertions.assertThrows(
                InferenceException.BadRequest.class, () -> client.classifyAll(List.of(good, good, good),
                        InferenceClient.Options.DEFAULT), "3 images, more than the queue of 2 holds");
        assertEquals(413, tooMany.status());
        assertEquals("too_many_items", tooMany.code());
    }

    @Test
    void kserveMetadataAndInferenceWithTensorsAndImages() {
        com.fasterxml.jackson.databind.JsonNode m = client.kserveMetadata("brightness");
        assertEquals("[-1,8,8,1]", m.path("inputs").path(0).path("shape").toString());
        float[] values = new float[64];
        java.util.Arrays.fill(values, 0.45f);
        float[][] scores = client.kserveInfer("brightness", "input", new long[] {1, 8, 8, 1}, values);
        assertEquals(1, scores.length);
        assertEquals(10, scores[0].length);
        assertEquals(4, argmax(scores[0]));
        float[][] images = client.kserveInferImages("brightness", List.of(Images.grey(240, 8, 8, "png")));
        assertEquals(9, argmax(images[0]));
        float[][] binary = client.kserveInferBinary("brightness", "input", new long[] {1, 8, 8, 1}, values);
        assertTrue(java.util.Arrays.equals(scores[0], binary[0]), "the same scores as binary data: "
                + java.util.Arrays.toString(scores[0]) + " " + java.util.Arrays.toString(binary[0]));
        List<List<InferenceClient.KServeClass>> top = client.kserveClassifyImages("brightness", "output",
                List.of(Images.grey(240, 8, 8, "png"), Images.grey(20, 8, 8, "png")), 2);
        assertEquals(2, top.size());
        assertEquals(9, top.get(0).get(0).index(), top.toString());
        assertEquals(2, top.get(0).size(), top.toString());
        assertTrue(top.get(0).get(0).score() >= top.get(0).get(1).score(), "best first: " + top);
        assertEquals(argmax(client.kserveInferImages("brightness", List.of(Images.grey(20, 8, 8, "png")))[0]),
                top.get(1).get(0).index(), top.toString());
        InferenceException.BadRequest unknown = org.junit.jupiter.api.Assertions.assertThrows(
                InferenceException.BadRequest.class, () -> client.kserveMetadata("resnet50"));
        assertEquals(404, unknown.status());
        assertTrue(unknown.getMessage().contains("resnet50"), "the protocol's {\"error\"} message: "
                + unknown.getMessage());
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            best = row[i] > row[best] ? i : best;
        }
        return best;
    }
}
