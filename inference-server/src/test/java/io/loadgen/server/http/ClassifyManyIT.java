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
import io.loadgen.server.testing.BadInputs;
import io.loadgen.server.testing.BrightnessModel;
import io.loadgen.server.testing.Images;
import io.loadgen.server.testing.ServerHttp;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/classify} with many images in one request (a JSON list, a multipart body) and with regions of one
 * image, over real HTTP: per-item errors, order, lanes by item count, the item cap, consolidation.
 *
 * <p>The model is {@link BrightnessModel}: an image of mean brightness m in [k/10, (k+1)/10) is class k, so a grey
 * level L (0..255) is class floor(L / 25.5).
 */
class ClassifyManyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private InferenceServer server;
    private ServerHttp http;
    private BrightnessModel model;

    private void start(ServerConfig.Builder cfg) throws Exception {
        model = new BrightnessModel(0, 0);
        server = InferenceServer.start(cfg.host("127.0.0.1").port(0).build(), maxBatch -> model);
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        http = new ServerHttp(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<byte[]> classify(JsonNode body) throws Exception {
        return http.post("/v1/classify", "application/json", JSON.writeValueAsBytes(body));
    }

    private static int top(JsonNode result) {
        return result.get("predictions").get(0).get("class_id").asInt();
    }

    @Test
    void twentyImagesWithOneCorruptGiveNineteenResultsAndOneErrorInOrder() throws Exception {
        start(ServerConfig.custom());
        ObjectNode body = JSON.createObjectNode().put("top_k", 3);
        ArrayNode images = body.putArray("images");
        for (int i = 0; i < 20; i++) {
            byte[] png = Images.grey(i * 12 + 5, 8, 8, "png");
            images.add(Base64.getEncoder().encodeToString(i == 13 ? Arrays.copyOf(png, png.length - 20) : png));
        }
        HttpResponse<byte[]> r = classify(body);
        assertEquals(200, r.statusCode(), text(r));
        JsonNode results = json(r).get("results");
        assertEquals(20, results.size(), text(r));
        for (int i = 0; i < 20; i++) {
            JsonNode one = results.get(i);
            if (i == 13) {
                assertEquals("bad_image", one.get("error").get("code").asText(), one.toString());
                assertTrue(one.get("predictions") == null, one.toString());
            } else {
                assertTrue(one.get("error") == null, i + ": " + one);
                assertEquals((int) Math.floor((i * 12 + 5) / 25.5), top(one), "result " + i + " in request order");
                assertEquals(3, one.get("predictions").size());
            }
        }
        assertTrue(json(r).get("timing").get("total_ms").isNumber());
        assertEquals(19, model.batchSizes().stream().mapToInt(Integer::intValue).sum(),
                "19 images ran, the corrupt one did not");
        assertTrue(model.batchSizes().stream().anyMatch(n -> n > 1), "one request's images batch together: "
                + model.batchSizes());
    }

    @Test
    void aMultipartBodyWithSeveralImagePartsAnswersEachInOrder() throws Exception {
        start(ServerConfig.custom());
        String boundary = "loadgen-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int[] levels = {240, 10, 130};
        for (int i = 0; i < levels.length; i++) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + i
                    + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(Images.grey(levels[i], 8, 8, "png"));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"top_k\"\r\n\r\n2\r\n--"
                + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<byte[]> r = http.post("/v1/classify", "multipart/form-data; boundary=" + boundary,
                body.toByteArray());
        assertEquals(200, r.statusCode(), text(r));
        JsonNode results = json(r).get("results");
        assertEquals(3, results.size(), text(r));
        assertEquals(9, top(results.get(0)));
        assertEquals(0, top(results.get(1)));
        assertEquals(5, top(results.get(2)));
        assertEquals(2, results.get(0).get("predictions").size(), "the form's top_k");

        HttpResponse<byte[]> none = http.post("/v1/classify", "multipart/form-data; boundary=" + boundary,
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--" + boundary
                        + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, none.statusCode(), text(none));
        assertTrue(text(none).contains("'image' part"), text(none));
    }

    @Test
    void aMultipartBodyTakesMaxItemsImagePartsAndTopKAndAnyPartMoreIsA413() throws Exception {
        start(ServerConfig.custom().maxItemsPerRequest(6));
        String type = "multipart/form-data; boundary=" + BadInputs.BOUNDARY;
        List<BadInputs.Part> parts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            parts.add(BadInputs.Part.file("image", i + ".png", Images.grey(100, 8, 8, "png")));
        }
        parts.add(BadInputs.Part.field("top_k", "1"));
        HttpResponse<byte[]> full = http.post("/v1/classify", type, BadInputs.multipart(parts));
        assertEquals(200, full.statusCode(), "6 images and top_k: " + text(full));
        assertEquals(6, json(full).get("results").size(), text(full));

        parts.add(BadInputs.Part.field("note", "x"));
        HttpResponse<byte[]> extra = http.post("/v1/classify", type, BadInputs.multipart(parts));
        assertEquals(413, extra.statusCode(), "one part more, whatever its name: " + text(extra));
        assertEquals("too_many_items", json(extra).get("error").get("code").asText(), text(extra));
        assertTrue(text(extra).contains("6 'image' parts (maxItemsPerRequest)"), text(extra));

        List<BadInputs.Part> seven = new ArrayList<>(parts.subList(0, 6));
        seven.add(BadInputs.Part.file("image", "6.png", Images.grey(100, 8, 8, "png")));
        HttpResponse<byte[]> images = http.post("/v1/classify", type, BadInputs.multipart(seven));
        assertEquals(413, images.statusCode(), text(images));
        assertEquals("too_many_items", json(images).get("error").get("code").asText(), text(images));
        assertTrue(text(images).contains("7 images") && text(images).contains("6 allowed"), text(images));
        assertEquals(200, http.post("/v1/classify", type, BadInputs.multipart(parts.subList(0, 7))).statusCode(),
                "still serving");
    }

    @Test
    void largeRequestsTakeTheBatchLaneAndTheCapIsA413() throws Exception {
        start(ServerConfig.custom().batchLaneMinItems(4).maxItemsPerRequest(6));
        byte[] png = Images.grey(100, 8, 8, "png");
        String b64 = Base64.getEncoder().encodeToString(png);
        ObjectNode small = JSON.createObjectNode();
        small.putArray("images").add(b64).add(b64);
        assertEquals(200, classify(small).statusCode());
        ObjectNode large = JSON.createObjectNode();
        ArrayNode five = large.putArray("images");
        for (int i = 0; i < 5; i++) {
            five.add(b64);
        }
        HttpResponse<byte[]> r = http.post("/v1/classify", "application/json", JSON.writeValueAsBytes(large),
                "X-Priority", "realtime");
        assertEquals(200, r.statusCode(), text(r));
        String metrics = text(http.get("/metrics"));
        assertEquals(2, ServerHttp.metric(metrics, "inference_queue_wait_seconds_count{lane=\"realtime\"}"), metrics);
        assertEquals(5, ServerHttp.metric(metrics, "inference_queue_wait_seconds_count{lane=\"batch\"}"),
                "5 images >= batchLaneMinItems 4: the batch lane, whatever X-Priority says\n" + metrics);

        five.add(b64).add(b64);
        HttpResponse<byte[]> tooMany = classify(large);
        assertEquals(413, tooMany.statusCode(), text(tooMany));
        assertEquals("too_many_items", json(tooMany).get("error").get("code").asText());
        assertTrue(text(tooMany).contains("7 images") && text(tooMany).contains("6 allowed"), text(tooMany));
    }

    /** @return a 16x8 image whose left half is grey {@code left} and right half grey {@code right} */
    private static byte[] halves(int left, int right) {
        BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(left, left, left));
        g.fillRect(0, 0, 8, 8);
        g.setColor(new Color(right, right, right));
        g.fillRect(8, 0, 8, 8);
        g.dispose();
        return Images.encode(img, "png");
    }

    @Test
    void regionsAreClassifiedAsOneBatchAndConsolidatedByMaxOrMean() throws Exception {
        start(ServerConfig.custom().batcher(BatcherConfig.custom().maxBatch(2).maxDelay(Duration.ofSeconds(5))
                .build()));
        ObjectNode body = JSON.createObjectNode();
        body.put("image", Base64.getEncoder().encodeToString(halves(20, 230))).put("top_k", 10);
        body.putArray("regions").add(JSON.createArrayNode().add(0).add(0).add(8).add(8))
                .add(JSON.createArrayNode().add(8).add(0).add(8).add(8));
        HttpResponse<byte[]> r = classify(body);
        assertEquals(200, r.statusCode(), text(r));
        assertEquals(List.of(2), model.batchSizes(), "the two crops ran as one batch (maxBatch 2, 5 s delay)");
        JsonNode answer = json(r);
        JsonNode results = answer.get("results");
        assertEquals("[0,0,8,8]", results.get(0).get("region").toString());
        assertEquals(0, top(results.get(0)), "the dark half");
        assertEquals(9, top(results.get(1)), "the bright half");
        assertEquals("max", answer.get("consolidate").asText(), "max by default");
        float[] a = scores(results.get(0));
        float[] b = scores(results.get(1));
        float[] max = scores(answer);
        for (int c = 0; c < 10; c++) {
            assertEquals(Math.max(a[c], b[c]), max[c], 1e-6, "class " + c + ": the larger region score");
        }

        body.put("consolidate", "mean");
        JsonNode mean = json(classify(body));
        float[] m = scores(mean);
        for (int c = 0; c < 10; c++) {
            assertEquals((a[c] + b[c]) / 2, m[c], 1e-6, "class " + c + ": the mean of the region scores");
        }

        body.putArray("regions").add(JSON.createArrayNode().add(10).add(0).add(8).add(8));
        HttpResponse<byte[]> outside = classify(body);
        assertEquals(400, outside.statusCode(), text(outside));
        assertEquals("bad_region", json(outside).get("error").get("code").asText());
        assertTrue(text(outside).contains("outside the 16x8 image"), text(outside));
        body.putArray("regions").add(JSON.createArrayNode().add(0).add(0).add(0).add(8));
        assertEquals(400, classify(body).statusCode(), "an empty region");
        body.put("consolidate", "median");
        body.putArray("regions").add(JSON.createArrayNode().add(0).add(0).add(8).add(8));
        assertEquals(400, classify(body).statusCode(), "an unknown consolidation");
        assertEquals(List.of(2, 2), model.batchSizes(), "two requests ran, no refused one did");
    }

    /** @return the score of each class, from a full (top_k = classes) list of predictions */
    private static float[] scores(JsonNode withPredictions) {
        float[] s = new float[10];
        JsonNode p = withPredictions.get("predictions");
        assertEquals(10, p.size(), withPredictions.toString());
        for (JsonNode e : p) {
            s[e.get("class_id").asInt()] = e.get("score").floatValue();
        }
        return s;
    }

    @Test
    void theFieldsOfOneRequestMustAgree() throws Exception {
        start(ServerConfig.custom());
        String b64 = Base64.getEncoder().encodeToString(Images.grey(100, 8, 8, "png"));
        String[] wrong = {
            "{\"image\": \"" + b64 + "\", \"images\": [\"" + b64 + "\"]}",
            "{\"images\": []}",
            "{\"images\": [\"" + b64 + "\"], \"regions\": [[0, 0, 8, 8]]}",
            "{\"image\": \"" + b64 + "\", \"consolidate\": \"max\"}",
            "{\"image\": \"" + b64 + "\", \"regions\": [[0, 0, 8]]}",
            "{\"image\": \"" + b64 + "\", \"regions\": [[0, 0, 2.5, 8]]}",
            "{\"url\": \"http://127.0.0.1:1/x.png\"}",
        };
        for (String w : wrong) {
            HttpResponse<byte[]> r = http.post("/v1/classify", "application/json", w.getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), w + " -> " + text(r));
        }
        HttpResponse<byte[]> url = http.post("/v1/classify", "application/json", wrong[6].getBytes(
                StandardCharsets.UTF_8));
        assertEquals("url_not_allowed", json(url).get("error").get("code").asText(), "off by default: " + text(url));
        assertEquals(0, model.batchSizes().size(), "nothing ran");
    }
}
