package io.loadgen.server.http;

import static io.loadgen.server.testing.ServerHttp.json;
import static io.loadgen.server.testing.ServerHttp.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.testing.BrightnessModel;
import io.loadgen.server.testing.Images;
import io.loadgen.server.testing.ServerHttp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v2/models/{name}/infer} over real HTTP on loopback: JSON and binary tensors, BYTES images, requested
 * outputs, the classification extension, the protocol's own example requests (test resources {@code kserve/}, see
 * their README for where each comes from), errors as {@code {"error": "message"}}, and rows of a KServe request
 * packing into one batch with a {@code /v1} request.
 *
 * <p>The model is {@link BrightnessModel}: an 8x8 grey image of mean brightness m in [k/10, (k+1)/10) is class k.
 */
class KServeInferIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INFER = "/v2/models/brightness/infer";
    private InferenceServer server;
    private ServerHttp http;
    private BrightnessModel model;

    private void start(BatcherConfig batcher) throws Exception {
        model = new BrightnessModel(0, 0);
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).batcher(batcher).build(),
                maxBatch -> model);
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        http = new ServerHttp(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode fixture(String name) throws Exception {
        try (InputStream in = KServeInferIT.class.getResourceAsStream("/kserve/" + name)) {
            return JSON.readTree(in);
        }
    }

    /** @return a FP32 input of {@code levels.length} 8x8 images, each of one value in [0, 1] */
    private static ObjectNode tensorInput(double... levels) {
        ObjectNode in = JSON.createObjectNode();
        in.put("name", "input");
        in.put("datatype", "FP32");
        in.putArray("shape").add(levels.length).add(8).add(8).add(1);
        ArrayNode data = in.putArray("data");
        for (double v : levels) {
            ArrayNode image = data.addArray(); // nested, as the protocol allows: [n][8][8][1]
            for (int y = 0; y < 8; y++) {
                ArrayNode row = image.addArray();
                for (int x = 0; x < 8; x++) {
                    row.addArray().add(v);
                }
            }
        }
        return in;
    }

    private HttpResponse<byte[]> infer(JsonNode request, String... headers) throws Exception {
        return http.post(INFER, "application/json", JSON.writeValueAsBytes(request), headers);
    }

    private static String error(HttpResponse<byte[]> r) {
        JsonNode e = json(r).get("error");
        assertTrue(e != null && e.isTextual(), "an error is {\"error\": \"message\"}: " + text(r));
        return e.asText();
    }

    private static int argmax(JsonNode data, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (data.get(row * classes + c).floatValue() > data.get(row * classes + best).floatValue()) {
                best = c;
            }
        }
        return best;
    }

    @Test
    void theProtocolsExampleRequestGetsItsTensorsWithTheModelsInputs() throws Exception {
        start(BatcherConfig.DEFAULT);
        ObjectNode request = (ObjectNode) fixture("required-api-infer.json");
        HttpResponse<byte[]> asWritten = infer(request);
        assertEquals(400, asWritten.statusCode(), text(asWritten));
        assertTrue(error(asWritten).contains("'input' (FP32 [-1, 8, 8, 1])"), "the error names what the model takes: "
                + text(asWritten));
        assertEquals(404, http.post("/v2/models/mymodel/infer", "application/json", JSON.writeValueAsBytes(request))
                .statusCode(), "the example's model is not this server's");

        // the same request with this model's input (three images, nested data) and output
        request.set("inputs", JSON.createArrayNode().add(tensorInput(0.05, 0.35, 0.95)));
        ((ObjectNode) request.get("outputs").get(0)).put("name", "output");
        HttpResponse<byte[]> r = infer(request);
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = json(r);
        assertEquals("42", body.get("id").asText(), "the request's id comes back");
        assertEquals("brightness", body.get("model_name").asText());
        assertEquals("1", body.get("model_version").asText());
        JsonNode out = body.get("outputs").get(0);
        assertEquals("output", out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        assertEquals("[3,10]", out.get("shape").toString(), "the shape of the whole batch");
        assertEquals(30, out.get("data").size(), "flat, row-major");
        assertEquals(0, argmax(out.get("data"), 0, 10));
        assertEquals(3, argmax(out.get("data"), 1, 10));
        assertEquals(9, argmax(out.get("data"), 2, 10));
        double sum = 0;
        for (int c = 0; c < 10; c++) {
            sum += out.get("data").get(10 + c).doubleValue();
        }
        assertEquals(1.0, sum, 1e-4, "a softmax row");
    }

    @Test
    void encodedImagesAsBase64AndAsBinaryDataGiveTheSameScoresAsV1() throws Exception {
        start(BatcherConfig.DEFAULT);
        byte[] png = Images.grey(90, 8, 8, "png");
        byte[] jpeg = Images.grey(240, 16, 16, "jpg");
        ObjectNode request = JSON.createObjectNode();
        ObjectNode in = request.putArray("inputs").addObject();
        in.put("name", "image").put("datatype", "BYTES");
        in.putArray("shape").add(2);
        in.putArray("data").add(Base64.getEncoder().encodeToString(png)).add(Base64.getEncoder()
                .encodeToString(jpeg));
        HttpResponse<byte[]> r = infer(request);
        assertEquals(200, r.statusCode(), text(r));
        JsonNode data = json(r).get("outputs").get(0).get("data");
        assertEquals(3, argmax(data, 0, 10), "grey 90/255 = 0.35");
        assertEquals(9, argmax(data, 1, 10), "grey 240/255 = 0.94");

        HttpResponse<byte[]> v1 = http.post("/v1/classify", "image/png", png, "X-Request-Id", "v1");
        JsonNode top = json(v1).get("predictions").get(0);
        assertEquals(top.get("score").floatValue(), data.get(top.get("class_id").asInt()).floatValue(), 1e-6,
                "the same pipeline as /v1: same score for the same image");

        // binary tensor extension: each BYTES element is its 4-byte little-endian length and its bytes
        ByteArrayOutputStream bin = new ByteArrayOutputStream();
        for (byte[] image : new byte[][] {png, jpeg}) {
            bin.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(image.length).array());
            bin.writeBytes(image);
        }
        in.remove("data");
        in.putObject("parameters").put("binary_data_size", bin.size());
        HttpResponse<byte[]> b = binary(request, bin.toByteArray());
        assertEquals(200, b.statusCode(), text(b));
        assertEquals(data, json(b).get("outputs").get(0).get("data"), "binary input, same answer");

        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        in.remove("parameters");
        in.putArray("data").add(Base64.getEncoder().encodeToString(png))
                .add(Base64.getEncoder().encodeToString(truncated));
        HttpResponse<byte[]> bad = infer(request);
        assertEquals(400, bad.statusCode(), text(bad));
        assertTrue(error(bad).contains("element 1"), "the error names the element: " + text(bad));
    }

    private HttpResponse<byte[]> binary(JsonNode request, byte[] data) throws Exception {
        byte[] header = JSON.writeValueAsBytes(request);
        byte[] body = new byte[header.length + data.length];
        System.arraycopy(header, 0, body, 0, header.length);
        System.arraycopy(data, 0, body, header.length, data.length);
        return http.post(INFER, "application/octet-stream", body, "Inference-Header-Content-Length",
                Integer.toString(header.length));
    }

    @Test
    void theBinaryDataExampleTakesFp32InAndGivesFp32Out() throws Exception {
        start(BatcherConfig.DEFAULT);
        ObjectNode request = (ObjectNode) fixture("binary-data-infer.json");
        HttpResponse<byte[]> asWritten = binary(request, new byte[19]);
        assertEquals(400, asWritten.statusCode(), text(asWritten));
        assertTrue(error(asWritten).contains("'mymodel'"), "the body names another model: " + text(asWritten));
        request.put("model_name", "brightness");
        ObjectNode in = JSON.createObjectNode().put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(2).add(8).add(8).add(1);
        in.putObject("parameters").put("binary_data_size", 2 * 64 * 4);
        request.set("inputs", JSON.createArrayNode().add(in));
        ((ObjectNode) request.get("outputs").get(0)).put("name", "output");
        ByteBuffer values = ByteBuffer.allocate(2 * 64 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 128; i++) {
            values.putFloat(i < 64 ? 0.55f : 0.15f);
        }
        HttpResponse<byte[]> r = binary(request, values.array());
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
        int headerLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode header = JSON.readTree(Arrays.copyOf(r.body(), headerLength));
        JsonNode out = header.get("outputs").get(0);
        assertEquals("[2,10]", out.get("shape").toString());
        assertEquals(80, out.get("parameters").get("binary_data_size").asInt());
        assertTrue(out.get("data") == null, "binary outputs carry no JSON data");
        assertEquals(headerLength + 80, r.body().length);
        ByteBuffer scores = ByteBuffer.wrap(r.body(), headerLength, 80).order(ByteOrder.LITTLE_ENDIAN);
        float[] row0 = new float[10];
        float[] row1 = new float[10];
        for (int c = 0; c < 10; c++) {
            row0[c] = scores.getFloat();
        }
        for (int c = 0; c < 10; c++) {
            row1[c] = scores.getFloat();
        }
        assertEquals(5, argmaxOf(row0));
        assertEquals(1, argmaxOf(row1));

        // sizes that do not add up are the client's error, named
        in.putObject("parameters").put("binary_data_size", 100);
        HttpResponse<byte[]> wrong = binary(request, new byte[100]);
        assertEquals(400, wrong.statusCode());
        assertTrue(error(wrong).contains("512 bytes"), text(wrong));
        in.putObject("parameters").put("binary_data_size", 512);
        HttpResponse<byte[]> extra = binary(request, new byte[600]);
        assertEquals(400, extra.statusCode());
        assertTrue(error(extra).contains("88 bytes"), text(extra));
        HttpResponse<byte[]> badHeader = http.post(INFER, "application/octet-stream", new byte[10],
                "Inference-Header-Content-Length", "11");
        assertEquals(400, badHeader.statusCode());
        assertTrue(error(badHeader).contains("Inference-Header-Content-Length"), text(badHeader));
    }

    private static int argmaxOf(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            best = row[c] > row[best] ? c : best;
        }
        return best;
    }

    @Test
    void theClassificationExampleGivesScoreIndexLabelStrings() throws Exception {
        start(BatcherConfig.DEFAULT);
        ObjectNode request = (ObjectNode) fixture("classification-infer.json");
        request.set("inputs", JSON.createArrayNode().add(tensorInput(0.62, 0.12)));
        ObjectNode wanted = (ObjectNode) request.get("outputs").get(0);
        wanted.put("name", "output");
        HttpResponse<byte[]> r = infer(request);
        assertEquals(200, r.statusCode(), text(r));
        JsonNode out = json(r).get("outputs").get(0);
        assertEquals("BYTES", out.get("datatype").asText());
        assertEquals("[2,2]", out.get("shape").toString(), "[batch, count]");
        Pattern format = Pattern.compile("([0-9.Ee-]+):([0-9]+):(level_[0-9])");
        Matcher first = format.matcher(out.get("data").get(0).asText());
        assertTrue(first.matches(), out.toString());
        assertEquals("6", first.group(2), "the best class of the first row first");
        assertEquals("level_6", first.group(3));
        Matcher second = format.matcher(out.get("data").get(1).asText());
        assertTrue(second.matches(), out.toString());
        assertTrue(Float.parseFloat(second.group(1)) <= Float.parseFloat(first.group(1)), "best first");
        Matcher third = format.matcher(out.get("data").get(2).asText());
        assertTrue(third.matches(), out.toString());
        assertEquals("1", third.group(2), "the best class of the second row");

        wanted.putObject("parameters").put("classification", 11);
        HttpResponse<byte[]> tooMany = infer(request);
        assertEquals(400, tooMany.statusCode());
        assertTrue(error(tooMany).contains("[1, 10]"), text(tooMany));
        wanted.put("name", "logits");
        HttpResponse<byte[]> unknown = infer(request);
        assertEquals(400, unknown.statusCode());
        assertTrue(error(unknown).contains("unknown output 'logits'"), text(unknown));
    }

    @Test
    void wrongRequestsGetTheProtocolsErrorObjectAndTheServerKeepsServing() throws Exception {
        start(BatcherConfig.custom().queueCapacity(8).build());
        ObjectNode ok = JSON.createObjectNode();
        ok.putArray("inputs").add(tensorInput(0.5));
        String[][] cases = {
            {"{\"inputs\": ", "not valid JSON"},
            {"[]", "inference request object"},
            {"{}", "exactly one input"},
            {"{\"inputs\": [{\"name\": \"input\", \"datatype\": \"INT8\", \"shape\": [1, 8, 8, 1], \"data\": []}]}",
                "must be FP32"},
            {"{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 28, 28, 1], \"data\": []}]}",
                "shape [n, 8, 8, 1]"},
            {"{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 8, 8, 1], \"data\": [1, 2]}]}",
                "needs 64 values, got 2"},
            {"{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 8, 8, 1], \"data\": [\"a\"]}]}",
                "must be numbers"},
            {"{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [0, 8, 8, 1], \"data\": []}]}",
                "at least 1"},
            {"{\"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"@@\"]}]}",
                "not valid base64"},
            {"{\"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"AAAA\"]}]}",
                "needs 2 elements, got 1"},
            {"{\"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"AAAA\"]}]}",
                "element 0"},
        };
        for (String[] c : cases) {
            HttpResponse<byte[]> r = http.post(INFER, "application/json", c[0].getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), c[0] + " -> " + text(r));
            assertTrue(error(r).contains(c[1]), c[0] + " -> " + text(r));
        }
        ObjectNode big = JSON.createObjectNode();
        big.putArray("inputs").add(tensorInput(new double[9]));
        HttpResponse<byte[]> tooMany = infer(big);
        assertEquals(413, tooMany.statusCode(), "9 rows, more than the queue of 8 can take: " + text(tooMany));
        assertTrue(error(tooMany).contains("maxItemsPerRequest"), text(tooMany));
        assertEquals(404, http.post("/v2/models/brightness/versions/7/infer", "application/json",
                JSON.writeValueAsBytes(ok)).statusCode());
        HttpResponse<byte[]> served = http.post("/v2/models/brightness/versions/1/infer", "application/json",
                JSON.writeValueAsBytes(ok));
        assertEquals(200, served.statusCode(), "still serving, by version path too: " + text(served));
    }

    @Test
    void aKServeRequestAndAV1RequestInFlightTogetherShareABatch() throws Exception {
        // a batch forms when 3 images wait or after 5 s: both requests' rows must be in the one batch of 3
        start(BatcherConfig.custom().maxBatch(3).maxDelay(Duration.ofSeconds(5)).build());
        ObjectNode request = JSON.createObjectNode();
        request.putArray("inputs").add(tensorInput(0.25, 0.75));
        CompletableFuture<HttpResponse<byte[]>> kserve = CompletableFuture.supplyAsync(() -> {
            try {
                return infer(request);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<byte[]> v1 = http.post("/v1/classify", "image/png", Images.grey(200, 8, 8, "png"));
        HttpResponse<byte[]> v2 = kserve.get(30, TimeUnit.SECONDS);
        assertEquals(200, v1.statusCode(), text(v1));
        assertEquals(200, v2.statusCode(), text(v2));
        assertEquals(3, json(v1).get("timing").get("batch_size").asInt(), text(v1));
        assertEquals(java.util.List.of(3), model.batchSizes(), "one model run for both protocols' images");
        String metrics = text(http.get("/metrics"));
        assertEquals(1, ServerHttp.metric(metrics, "inference_batch_size_count"), metrics);
        assertEquals(3, ServerHttp.metric(metrics, "inference_batch_size_sum"), metrics);
        assertEquals(2, argmax(json(v2).get("outputs").get(0).get("data"), 0, 10));
        assertEquals(7, argmax(json(v2).get("outputs").get(0).get("data"), 1, 10));
    }
}
