package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.cli.fixtures.ProtocolFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadgen run --payload DIR --body TEMPLATE} drives servers in the request shapes their public docs give,
 * from an image directory, with no body file per image: every request accepted at a steady rate, every answer
 * checked. The fixtures ({@link ProtocolFixture}) refuse any other shape, which the last case proves.
 */
class RequestShapesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path images(Path tmp) throws Exception {
        Path dir = tmp.resolve("images");
        Files.createDirectories(dir);
        for (int i = 0; i < 3; i++) {
            Files.write(dir.resolve("img" + i + ".jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) i, 7, 9});
        }
        return dir;
    }

    /** @return the bundled server on a free loopback port with the committed Fashion-MNIST model, ready */
    private static io.loadgen.server.InferenceServer fashionMnistServer() throws Exception {
        io.loadgen.server.InferenceServer server = io.loadgen.server.InferenceServer.start(
                io.loadgen.server.ServerConfig.custom().host("127.0.0.1").port(0).build(), maxBatch -> {
                    io.loadgen.server.model.TensorFlowModel m = io.loadgen.server.model.TensorFlowModel.load(
                            Path.of("..", "models", "fashion-mnist"));
                    m.warmUp(maxBatch);
                    return m;
                });
        assertTrue(server.awaitReady(java.time.Duration.ofMinutes(2)), "the Fashion-MNIST model loads");
        return server;
    }

    private static JsonNode run(Path tmp, String... args) throws Exception {
        return run(tmp, 0, args);
    }

    /**
     * Runs {@code args} at 100/s for 3 s with {@code --assert checks>99.9%}, expecting exit {@code code}.
     *
     * @return the run's summary.json
     */
    private static JsonNode run(Path tmp, int code, String... args) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime());
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("--rate", "100", "--duration", "3s", "--arrival", "constant", "-q", "--out",
                out.toString(), "--assert=checks>99.9%"));
        Cli.Result r = Cli.run(all.toArray(String[]::new));
        assertEquals(code, r.code(), r.out() + r.err());
        return JSON.readTree(out.resolve("summary.json").toFile());
    }

    @Test
    void tfServingsB64InstancesFromAnImageDirectory(@TempDir Path tmp) throws Exception {
        try (ProtocolFixture tf = ProtocolFixture.tfServing()) {
            JsonNode s = run(tmp, "run", "--target", tf.uri("/v1/models/resnet:predict").toString(), "--payload",
                    images(tmp).toString(), "--body", "{\"instances\": [{\"b64\": \"${payload_b64}\"}]}",
                    "--check", "status==200", "--check", "json:/predictions/0 exists");
            assertEquals(0, tf.refused(), tf.lastRefusal());
            assertEquals(s.get("completed").asLong(), s.get("ok").asLong());
            assertTrue(s.get("ok").asLong() >= 280, s.toString());
            assertEquals(1.0, s.get("checks").get("ratio").asDouble(), 0.0);
            assertEquals(s.get("completed").asLong(), s.get("checks").get("passed").asLong());
        }
    }

    @Test
    void mortredsImgDataEnvelopeWithARequestIdPerRequest(@TempDir Path tmp) throws Exception {
        try (ProtocolFixture m = ProtocolFixture.mortred()) {
            JsonNode s = run(tmp, "run", "--target", m.uri("/mobilenetv2_classification").toString(), "--payload",
                    images(tmp).toString(), "--body", "{\"req_id\": \"lg-${seq}\", \"img_data\": \"${payload_b64}\"}",
                    "--check", "json:/code==0", "--check", "json:/data/class_id exists");
            assertEquals(0, m.refused(), m.lastRefusal());
            assertEquals(s.get("completed").asLong(), s.get("checks").get("passed").asLong());
            assertEquals(0, s.get("checks").get("failed").asLong());
        }
    }

    @Test
    void theFixturesRefuseOtherShapesAndTheChecksSayHowMany(@TempDir Path tmp) throws Exception {
        try (ProtocolFixture m = ProtocolFixture.mortred()) {
            Path out = tmp.resolve("wrong");
            // the raw bytes as the body: not the JSON envelope mortred takes
            Cli.Result r = Cli.run("run", "--target", m.uri("/mobilenetv2_classification").toString(), "--payload",
                    images(tmp).toString(), "--rate", "50", "--duration", "2s", "-q", "--out", out.toString(),
                    "--check", "json:/code==0", "--assert", "checks>99%");
            assertEquals(1, r.code(), "the checks assertion fails: " + r.out() + r.err());
            JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
            assertEquals(0, s.get("ok").asLong());
            assertEquals(s.get("completed").asLong(), s.get("checks").get("failed").asLong());
            assertTrue(m.refused() > 0 && m.accepted() == 0, m.lastRefusal());
            assertTrue(m.lastRefusal().startsWith("415"), "image/jpeg is not application/json: " + m.lastRefusal());
            String report = Files.readString(out.resolve("report.html"));
            assertTrue(report.contains("Checks: answers that passed every check"), "the pass-ratio chart");
            assertTrue(report.contains("failures by check"), "the summary row");
            assertTrue(r.out().contains("checks             0 passed"), r.out());
        }
    }

    @Test
    void multipartUploadsWithFormFieldsToTheBundledServer(@TempDir Path tmp) throws Exception {
        io.loadgen.server.InferenceServer server = fashionMnistServer();
        try {
            // top_k=2 reaches the server as a form field: a check for a third prediction fails on every answer
            JsonNode three = run(tmp, 1, "run", "--target", server.baseUri().resolve("/v1/classify").toString(),
                    "--payload", Path.of("..", "samples", "images").toString(), "--request", "multipart:image",
                    "--form", "top_k=2", "--check", "status==200", "--check", "json:/results/0/predictions/1 exists",
                    "--check", "json:/results/0/predictions/2 exists");
            assertEquals(three.get("completed").asLong(), three.get("checks").get("failed").asLong(),
                    three.toString());
            assertTrue(three.get("checks").get("by_check").get("json:/results/0/predictions/2 exists").asLong()
                    >= three.get("checks").get("failed").asLong(), three.toString());
            JsonNode s = run(tmp, "run", "--target", server.baseUri().resolve("/v1/classify").toString(),
                    "--payload", Path.of("..", "samples", "images").toString(), "--request", "multipart:image",
                    "--form", "top_k=2", "--check", "status==200", "--check", "json:/results/0/predictions/1 exists");
            assertEquals(s.get("completed").asLong(), s.get("checks").get("passed").asLong(), s.toString());
            assertTrue(s.get("ok").asLong() >= 280, s.toString());
        } finally {
            server.close();
        }
    }

    @Test
    void kserveV2ReadsTheModelsMetadataAndSendsImagesOrRandomTensors(@TempDir Path tmp) throws Exception {
        io.loadgen.server.InferenceServer server = fashionMnistServer();
        try {
            String infer = server.baseUri().resolve("/v2/models/" + server.modelInfo().name() + "/infer").toString();
            JsonNode images = run(tmp, "run", "--target", infer, "--payload",
                    Path.of("..", "samples", "images").toString(), "--request", "kserve-v2", "--check", "status==200",
                    "--check", "json:/outputs/0/shape/1==10");
            assertEquals(images.get("completed").asLong(), images.get("checks").get("passed").asLong(),
                    images.toString());
            assertTrue(images.get("ok").asLong() >= 280, images.toString());
            JsonNode random = run(tmp, "run", "--target", infer, "--request", "kserve-v2", "--input-data", "random",
                    "--check", "json:/outputs/0/datatype==FP32");
            assertEquals(random.get("completed").asLong(), random.get("checks").get("passed").asLong(),
                    random.toString());
            Cli.Result wrong = Cli.run("run", "--target", server.baseUri().resolve("/v1/classify").toString(),
                    "--request", "kserve-v2", "--input-data", "random", "--duration", "1s");
            assertEquals(2, wrong.code(), "a target that is not an infer URL is a usage error: " + wrong.err());
            assertTrue(wrong.err().contains("/v2/models/NAME/infer"), wrong.err());
        } finally {
            server.close();
        }
    }
}
