package io.loadgen.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.testing.BrightnessModel;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The KServe v2 (Open Inference Protocol) health and metadata endpoints over real HTTP, as kserve's
 * {@code docs/predict-api/v2/required_api.md} specifies them: health by status alone (200 true, 4xx false), server
 * metadata {@code {name, version, extensions}}, model metadata {@code {name, versions, platform, inputs, outputs}}
 * with tensors {@code {name, datatype, shape}}, errors as {@code {"error": "<message>"}}.
 */
class KServeHealthMetadataIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private InferenceServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String error(HttpResponse<String> r) throws Exception {
        JsonNode e = json.readTree(r.body()).get("error");
        assertTrue(e != null && e.isTextual(), "an error is {\"error\": \"message\"}: " + r.body());
        return e.asText();
    }

    @Test
    void liveAtOnceReadyOnceTheModelIsLoaded() throws Exception {
        CountDownLatch load = new CountDownLatch(1);
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).build(), maxBatch -> {
            try {
                if (!load.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let the model load");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new BrightnessModel(0, 0);
        });
        assertEquals(200, get("/v2/health/live").statusCode());
        assertEquals(400, get("/v2/health/ready").statusCode(), "not ready while the model loads");
        HttpResponse<String> loading = get("/v2/models/brightness");
        assertEquals(400, loading.statusCode(), loading.body());
        assertTrue(error(loading).contains("not ready"), loading.body());
        load.countDown();
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));
        assertEquals(200, get("/v2/health/ready").statusCode());
        assertEquals(200, get("/v2/models/brightness/ready").statusCode());
        assertEquals(200, get("/v2/models/brightness/versions/1/ready").statusCode());
    }

    @Test
    void serverAndModelMetadataAndTheirErrors() throws Exception {
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).build(),
                maxBatch -> new BrightnessModel(0, 0));
        assertTrue(server.awaitReady(Duration.ofSeconds(10)));

        JsonNode s = json.readTree(get("/v2").body());
        assertEquals(KServeRoutes.SERVER_NAME, s.get("name").asText());
        assertTrue(s.get("version").isTextual() && !s.get("version").asText().isBlank(), s.toString());
        assertEquals("[\"binary_tensor_data\",\"classification\"]", s.get("extensions").toString(),
                "the extensions it serves, by Triton's names");

        for (String path : new String[] {"/v2/models/brightness", "/v2/models/brightness/versions/1"}) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            JsonNode m = json.readTree(r.body());
            assertEquals("brightness", m.get("name").asText());
            assertEquals("[\"1\"]", m.get("versions").toString());
            assertEquals("BrightnessModel", m.get("platform").asText(), "not a TensorFlow model, and it says so");
            JsonNode in = m.get("inputs").get(0);
            assertEquals("FP32", in.get("datatype").asText());
            assertEquals("input", in.get("name").asText());
            assertEquals("[-1,8,8,1]", in.get("shape").toString(), "any batch of the model's NHWC input");
            JsonNode image = m.get("inputs").get(1);
            assertEquals("image", image.get("name").asText());
            assertEquals("BYTES", image.get("datatype").asText(), "encoded images, decoded by the server");
            assertEquals("[-1]", image.get("shape").toString());
            JsonNode out = m.get("outputs").get(0);
            assertEquals("FP32", out.get("datatype").asText());
            assertEquals("[-1,10]", out.get("shape").toString());
        }

        HttpResponse<String> unknown = get("/v2/models/resnet50");
        assertEquals(404, unknown.statusCode());
        assertTrue(error(unknown).contains("resnet50"), unknown.body());
        HttpResponse<String> version = get("/v2/models/brightness/versions/2");
        assertEquals(404, version.statusCode());
        assertTrue(error(version).contains("version '2'"), version.body());
        assertEquals(404, get("/v2/models/resnet50/ready").statusCode());
        assertEquals(404, get("/v2/models/brightness/versions/2/ready").statusCode());
        HttpResponse<String> nothing = get("/v2/nothing");
        assertEquals(404, nothing.statusCode());
        error(nothing); // an unknown /v2 path answers in the protocol's error shape too
    }
}
