package io.loadgen.server.http;

import static io.loadgen.server.testing.ServerHttp.json;
import static io.loadgen.server.testing.ServerHttp.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.testing.BrightnessModel;
import io.loadgen.server.testing.Images;
import io.loadgen.server.testing.ServerHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model that throws, over real HTTP: a RuntimeException fails only the image the model cannot take (its batch is
 * run again image by image), gives a 500, and the server keeps serving; an Error is not survived: that request gets
 * a 500, the server turns not ready and says why, and refuses with 503 from then on.
 */
class ModelFailureIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private InferenceServer server;
    private ServerHttp http;
    private BrightnessModel model;

    private void start(BrightnessModel m) throws Exception {
        model = m;
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).batcher(BatcherConfig.custom()
                .maxBatch(4).maxDelay(Duration.ofMillis(200)).build()).build(), maxBatch -> m);
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        http = new ServerHttp(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String b64(int level) {
        return Base64.getEncoder().encodeToString(Images.grey(level, 8, 8, "png"));
    }

    @Test
    void aRuntimeExceptionFailsOnlyTheImageTheModelCannotTake() throws Exception {
        start(new BrightnessModel(0, 0).poisonedByWhite(() -> new IllegalStateException("white is out of range")));
        ObjectNode body = JSON.createObjectNode();
        body.putArray("images").add(b64(50)).add(b64(255)).add(b64(200));
        HttpResponse<byte[]> r = http.post("/v1/classify", "application/json", JSON.writeValueAsBytes(body));
        assertEquals(200, r.statusCode(), text(r));
        JsonNode results = json(r).get("results");
        assertEquals(1, results.get(0).get("predictions").get(0).get("class_id").asInt(), text(r));
        assertEquals("internal", results.get(1).get("error").get("code").asText(), text(r));
        assertTrue(results.get(1).get("error").get("message").asText().contains("white is out of range"), text(r));
        assertEquals(7, results.get(2).get("predictions").get(0).get("class_id").asInt(), text(r));
        assertEquals(List.of(3, 1, 1, 1), model.batchSizes(), "the batch of 3 failed and ran again image by image");

        HttpResponse<byte[]> alone = http.post("/v1/classify", "image/png", Images.grey(255, 8, 8, "png"));
        assertEquals(500, alone.statusCode(), text(alone));
        assertEquals("internal", json(alone).get("error").get("code").asText());
        HttpResponse<byte[]> after = http.post("/v1/classify", "image/png", Images.grey(100, 8, 8, "png"));
        assertEquals(200, after.statusCode(), "still serving: " + text(after));
        assertEquals(200, http.get("/health/ready").statusCode());
    }

    @Test
    void anErrorIsNotCarriedOnFrom() throws Exception {
        start(new BrightnessModel(0, 0).poisonedByWhite(() -> new InternalError("stand-in for a native crash")));
        HttpResponse<byte[]> fatal = http.post("/v1/classify", "image/png", Images.grey(255, 8, 8, "png"));
        assertEquals(500, fatal.statusCode(), text(fatal));
        HttpResponse<byte[]> ready = http.get("/health/ready");
        assertEquals(503, ready.statusCode(), text(ready));
        assertTrue(json(ready).get("reason").asText().contains("stand-in for a native crash"), text(ready));
        HttpResponse<byte[]> next = http.post("/v1/classify", "image/png", Images.grey(100, 8, 8, "png"));
        assertEquals(503, next.statusCode(), "refused, not queued for a dead worker: " + text(next));
        assertTrue(text(next).contains("must be restarted"), text(next));
        assertEquals(400, http.get("/v2/health/ready").statusCode(), "KServe readiness says not ready too");
        assertEquals(1, model.batchSizes().size(), "the model did not run again");
    }
}
