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

    /** @return the first {@code n} Fashion-MNIST test images as PNGs in {@code DIR/<class id>/}, the ImageFolder way */
    private static Path fashionMnistByLabel(Path tmp, int n) throws Exception {
        io.loadgen.server.model.FashionMnist.Split test = io.loadgen.server.model.FashionMnist.test(
                io.loadgen.server.model.FashionMnist.DEBIAN_DIR);
        Path dir = tmp.resolve("fashion");
        for (int i = 0; i < n; i++) {
            Path label = Files.createDirectories(dir.resolve(Integer.toString(test.label(i))));
            Files.write(label.resolve(String.format(java.util.Locale.ROOT, "t%04d.png", i)), test.png(i));
        }
        return dir;
    }

    /** The classification extension's best class, {@code "score:index:label"}, is the image's label. */
    private static final String BEST_IS_LABEL = "json:/outputs/0/data/0=~^[^:]*:${label}(:|$)";

    @Test
    void kserveV2ReadsTheModelsMetadataAndSendsImagesOrRandomTensors(@TempDir Path tmp) throws Exception {
        io.loadgen.server.InferenceServer server = fashionMnistServer();
        try {
            String infer = server.baseUri().resolve("/v2/models/" + server.modelInfo().name() + "/infer").toString();
            Path fashion = fashionMnistByLabel(tmp, 300);
            // the BYTES input, through the binary extension (the server lists it), checked against each label
            JsonNode bytes = run(tmp, 1, "run", "--target", infer, "--payload", fashion.toString(), "--request",
                    "kserve-v2", "--kserve-classification", "1", "--check", "status==200", "--check", BEST_IS_LABEL);
            assertEquals("kserve-v2, input 'image' BYTES [-1] holding each image file, binary tensor data,"
                    + " classification 1", bytes.get("settings").get("request").asText());
            assertAccuracy(bytes);
            // the FP32 input, preprocessed here (28x28 grey, x/255), as JSON
            JsonNode tensors = run(tmp, 1, "run", "--target", infer, "--payload", fashion.toString(), "--request",
                    "kserve-v2", "--kserve-input", "input", "--kserve-binary=false", "--kserve-classification", "1",
                    "--check", "status==200", "--check", BEST_IS_LABEL);
            assertEquals("kserve-v2, input 'input' FP32 [-1,28,28,1] from each image (28x28x1, NHWC, scaling unit),"
                    + " JSON, classification 1", tensors.get("settings").get("request").asText());
            assertAccuracy(tensors);
            // the same answers: each image's best class does not depend on how it was sent
            assertEquals(bytes.get("checks").get("passed").asLong(), tensors.get("checks").get("passed").asLong(),
                    "the same 300 images in the same order: " + bytes.get("checks") + " " + tensors.get("checks"));
            JsonNode images = run(tmp, "run", "--target", infer, "--payload",
                    Path.of("..", "samples", "images").toString(), "--request", "kserve-v2", "--check", "status==200",
                    "--check", "json:/outputs/0/shape/1==10");
            assertEquals(images.get("completed").asLong(), images.get("checks").get("passed").asLong(),
                    images.toString());
            assertTrue(images.get("ok").asLong() >= 280, images.toString());
            JsonNode random = run(tmp, "run", "--target", infer, "--request", "kserve-v2", "--input-data", "random",
                    "--kserve-output", "output", "--check", "json:/outputs/0/datatype==FP32");
            assertEquals(random.get("completed").asLong(), random.get("checks").get("passed").asLong(),
                    random.toString());
            assertTrue(random.get("settings").get("request").asText().startsWith(
                    "kserve-v2, random values for 'input' FP32 [-1,28,28,1], binary"), random.toString());
            Cli.Result wrong = Cli.run("run", "--target", server.baseUri().resolve("/v1/classify").toString(),
                    "--request", "kserve-v2", "--input-data", "random", "--duration", "1s");
            assertEquals(2, wrong.code(), "a target that is not an infer URL is a usage error: " + wrong.err());
            assertTrue(wrong.err().contains("/v2/models/NAME/infer"), wrong.err());
            Cli.Result noOutput = Cli.run("run", "--target", infer, "--request", "kserve-v2", "--input-data", "random",
                    "--kserve-output", "logits", "--duration", "1s");
            assertEquals(2, noOutput.code(), noOutput.err());
            assertTrue(noOutput.err().contains("has no output 'logits' (its outputs: [output])"), noOutput.err());
        } finally {
            server.close();
        }
    }

    /**
     * Every answer OK and checked; the share whose best class is the label is the model's accuracy on these 300
     * images (0.95 here; 0.9126 over the whole test set), which a wrong preprocessing would lose (x rather than x/255
     * gives 0.84).
     */
    private static void assertAccuracy(JsonNode s) {
        assertEquals(s.get("completed").asLong(), s.get("ok").asLong() + s.get("errors").get("check").asLong(),
                s.toString());
        assertEquals(s.get("completed").asLong(), s.get("checks").get("passed").asLong()
                + s.get("checks").get("failed").asLong(), s.toString());
        assertTrue(s.get("completed").asLong() >= 280, s.toString());
        assertTrue(s.get("checks").get("ratio").asDouble() >= 0.88, "accuracy " + s.get("checks"));
    }

    /** @return JPEGs and PNGs of 64x48, each mostly one colour, in {@code DIR/red|green|blue/} */
    private static Path colours(Path tmp) throws Exception {
        Path dir = tmp.resolve("colours");
        int[][] rgb = {{200, 40, 30}, {30, 180, 60}, {20, 50, 210}};
        String[] names = {"red", "green", "blue"};
        for (int c = 0; c < 3; c++) {
            Path label = Files.createDirectories(dir.resolve(names[c]));
            for (int k = 0; k < 4; k++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(64, 48,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 48; y++) {
                    for (int x = 0; x < 64; x++) {
                        int n = (x * 7 + y * 13 + k * 31) % 40; // some texture, so no plane is exactly flat
                        img.setRGB(x, y, (Math.min(255, rgb[c][0] + n) << 16) | (Math.min(255, rgb[c][1] + n) << 8)
                                | Math.min(255, rgb[c][2] + n));
                    }
                }
                String format = k % 2 == 0 ? "png" : "jpg";
                javax.imageio.ImageIO.write(img, format, label.resolve("img" + k + "." + format).toFile());
            }
        }
        return dir;
    }

    @Test
    void kserveV2PreprocessesImagesForATritonModelOfChannelsFirst(@TempDir Path tmp) throws Exception {
        Path colours = colours(tmp);
        try (io.loadgen.cli.fixtures.TritonFixture triton = io.loadgen.cli.fixtures.TritonFixture.start()) {
            String infer = triton.uri("/v2/models/densenet_onnx/infer").toString();
            // Triton's image_client -m densenet_onnx -s INCEPTION: [3,224,224] is channels first; the fixture names
            // the brightest channel plane, so a layout mixed up here gives wrong answers the check counts
            JsonNode s = run(tmp, "run", "--target", infer, "--payload", colours.toString(), "--request", "kserve-v2",
                    "--kserve-scaling", "inception", "--kserve-classification", "1", "--check", "status==200",
                    "--check", "json:/outputs/0/data/0=~^[^:]*:[0-9]+:${label}$");
            assertEquals("kserve-v2, input 'data_0' FP32 [3,224,224] from each image (224x224x3, NCHW, scaling"
                    + " inception), binary tensor data, classification 1", s.get("settings").get("request").asText());
            assertEquals(0, triton.refused(), triton.lastRefusal());
            assertEquals(s.get("completed").asLong(), s.get("checks").get("passed").asLong(), s.toString());
            assertTrue(s.get("ok").asLong() >= 280, s.toString());
            assertEquals(triton.accepted(), triton.binaryRequests(), "the server lists binary_tensor_data");
            // the channels read as last are 224 of them: refused before any request, naming the flag
            Cli.Result nhwc = Cli.run("run", "--target", infer, "--payload", colours.toString(), "--request",
                    "kserve-v2", "--kserve-layout", "nhwc", "--duration", "1s");
            assertEquals(2, nhwc.code(), nhwc.err());
            assertTrue(nhwc.err().contains("is --kserve-layout right?"), nhwc.err());
        }
        try (io.loadgen.cli.fixtures.TritonFixture plain =
                io.loadgen.cli.fixtures.TritonFixture.startWithoutBinaryExtension()) {
            JsonNode s = run(tmp, "run", "--target", plain.uri("/v2/models/densenet_onnx/infer").toString(),
                    "--payload", colours.toString(), "--request", "kserve-v2", "--kserve-classification", "1",
                    "--check", "json:/outputs/0/data/0=~:${label}$");
            assertEquals(0, plain.refused(), plain.lastRefusal());
            assertEquals(s.get("completed").asLong(), s.get("checks").get("passed").asLong(), s.toString());
            assertEquals(plain.accepted(), plain.jsonRequests(), "JSON when the server lists no binary extension");
            assertTrue(plain.accepted() >= 280, "accepted " + plain.accepted());
        }
    }
}
