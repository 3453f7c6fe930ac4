package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadgen serve} as a user runs it: a real process, the built-in model, Ctrl-C/SIGTERM to stop. */
class ServeCommandIT {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[0-9.]+:[0-9]+)");

    @Test
    void servesTheBuiltInModelAndStopsCleanlyOnSigterm(@TempDir Path home) throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        Path log = home.resolve("serve.log");
        // A fresh home: the built-in MobileNetV2 is built into home/.cache/loadgen on first use.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-jar", jar.toString(), "serve", "--port", "0", "--max-batch", "4")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI base = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (true) {
                String out = Files.readString(log);
                Matcher m = LISTENING.matcher(out);
                if (base == null && m.find()) {
                    base = URI.create(m.group(1));
                }
                if (out.contains("ready: model")) {
                    break;
                }
                assertTrue(p.isAlive(), "serve exited: " + out);
                assertTrue(System.nanoTime() < deadline, "not ready in time: " + out);
                TimeUnit.MILLISECONDS.sleep(200);
            }
            HttpClient http = HttpClient.newHttpClient();
            byte[] jpeg = Files.readAllBytes(Path.of("..", "samples", "images", "sample-00.jpg"));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/classify"))
                    .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = new ObjectMapper().readTree(r.body());
            assertEquals("mobilenet_v2_1.0_224-untrained", body.get("model").asText());
            assertEquals(5, body.get("predictions").size());
            JsonNode model = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(base.resolve("/v1/models"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get("models").get(0);
            assertFalse(model.get("trained").asBoolean(), "the built-in model says its weights are untrained");
            assertEquals("[224,224,3]", model.get("input_shape").toString());
            assertEquals(1000, model.get("num_classes").asInt());
            assertTrue(Files.isDirectory(home.resolve(".cache/loadgen/models")), "built into the cache");

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM: " + Files.readString(log));
            assertEquals(143, p.exitValue(), "the JVM's exit status for SIGTERM");
            assertTrue(Files.readString(log).contains("loadgen serve: stopped"), "drained and stopped in order: "
                    + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }
}
