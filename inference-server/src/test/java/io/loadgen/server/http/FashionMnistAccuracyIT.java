package io.loadgen.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.model.FashionMnist;
import io.loadgen.server.model.TensorFlowModel;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The whole path on data nobody here wrote: the 10,000 Fashion-MNIST test images (Debian's dataset-fashion-mnist,
 * installed by .ci/run) are encoded as PNG and posted through HTTP to the server running the committed trained model;
 * decode, preprocess, batch, infer and labels must give an accuracy of at least 0.88.
 */
class FashionMnistAccuracyIT {
    private static final Path MODEL = Path.of("..", "models", "fashion-mnist");

    @Test
    void tenThousandTestImagesThroughHttpAreClassifiedWithAccuracyAbove088() throws Exception {
        assertTrue(FashionMnist.isAvailable(FashionMnist.DEBIAN_DIR), "the Fashion-MNIST test set is missing from "
                + FashionMnist.DEBIAN_DIR + ": apt-get install dataset-fashion-mnist (.ci/run does)");
        FashionMnist.Split test = FashionMnist.test(FashionMnist.DEBIAN_DIR);
        assertEquals(10_000, test.count());
        List<byte[]> pngs = new ArrayList<>(test.count());
        for (int i = 0; i < test.count(); i++) {
            pngs.add(test.png(i));
        }

        ServerConfig config = ServerConfig.custom().host("127.0.0.1").port(0)
                .batcher(BatcherConfig.custom().maxBatch(32).maxDelay(Duration.ofMillis(2)).queueCapacity(1024).build())
                .build();
        try (InferenceServer server = InferenceServer.start(config, maxBatch -> {
            TensorFlowModel m = TensorFlowModel.load(MODEL);
            m.warmUp(TensorFlowModel.powersOfTwoAnd(maxBatch));
            return m;
        })) {
            assertTrue(server.awaitReady(Duration.ofMinutes(2)));
            assertEquals(FashionMnist.LABELS, server.modelInfo().classes());
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            Semaphore inFlight = new Semaphore(64);
            AtomicInteger correct = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < pngs.size(); i++) {
                int expected = test.labels()[i];
                inFlight.acquire();
                all.add(http.sendAsync(HttpRequest.newBuilder(server.baseUri().resolve("/v1/classify?top_k=1"))
                                .header("Content-Type", "image/png")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(pngs.get(i))).build(),
                        HttpResponse.BodyHandlers.ofString())
                        .thenAccept(r -> {
                            if (r.statusCode() != 200) {
                                failed.incrementAndGet();
                                return;
                            }
                            try {
                                JsonNode top = json.readTree(r.body()).get("predictions").get(0);
                                if (top.get("class_id").asInt() == expected
                                        && top.get("label").asText().equals(FashionMnist.LABELS.get(expected))) {
                                    correct.incrementAndGet();
                                }
                            } catch (Exception e) {
                                failed.incrementAndGet();
                            }
                        })
                        .whenComplete((v, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double accuracy = correct.get() / 10_000.0;
            System.out.printf("Fashion-MNIST through HTTP: accuracy %.4f, %d failed, %.0f images/s%n", accuracy,
                    failed.get(), 10_000 / seconds);
            assertEquals(0, failed.get(), "every request answered 200");
            assertTrue(accuracy >= 0.88, "accuracy " + accuracy);
        }
    }
}
