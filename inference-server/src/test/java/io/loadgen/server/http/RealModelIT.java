package io.loadgen.server.http;

import static io.loadgen.server.testing.ServerHttp.json;
import static io.loadgen.server.testing.ServerHttp.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.model.FashionMnist;
import io.loadgen.server.model.TensorFlowModel;
import io.loadgen.server.testing.BadInputs;
import io.loadgen.server.testing.ServerHttp;
import io.loadgen.server.testing.SlowedModel;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus, overload, deadlines and drain on the committed trained TensorFlow model (Fashion-MNIST,
 * {@code models/fashion-mnist}), not only on the pure-Java stand-in. Where a test needs the model to be slow on
 * schedule, {@link SlowedModel} pauses before each batch and then runs the real model.
 */
class RealModelIT {
    private static final Path MODEL = Path.of("..", "models", "fashion-mnist");
    private InferenceServer server;
    private ServerHttp http;
    private SlowedModel model;

    private void start(BatcherConfig batcher, long pauseMillis) throws Exception {
        server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0).maxBodyBytes(64 * 1024)
                .batcher(batcher).build(), maxBatch -> {
                    TensorFlowModel m = TensorFlowModel.load(MODEL);
                    m.warmUp(TensorFlowModel.powersOfTwoAnd(maxBatch));
                    model = new SlowedModel(m, pauseMillis);
                    return model;
                });
        assertTrue(server.awaitReady(Duration.ofMinutes(2)), "the Fashion-MNIST model loads");
        http = new ServerHttp(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static FashionMnist.Split testSet() throws Exception {
        assertTrue(FashionMnist.isAvailable(FashionMnist.DEBIAN_DIR), "the Fashion-MNIST test set is missing from "
                + FashionMnist.DEBIAN_DIR + ": apt-get install dataset-fashion-mnist (.ci/run does)");
        return FashionMnist.test(FashionMnist.DEBIAN_DIR);
    }

    private CompletableFuture<HttpResponse<byte[]>> postAsync(byte[] png, String... headers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return http.post("/v1/classify", "image/png", png, headers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> new Thread(runnable).start());
    }

    @Test
    void theBadInputCorpusGetsItsErrorsAndTheModelKeepsServing() throws Exception {
        start(BatcherConfig.DEFAULT, 0);
        for (BadInputs.Case c : BadInputs.corpus(FashionMnist.SIZE, 64 * 1024, 10)) {
            HttpResponse<byte[]> r = http.post("/v1/classify", c.contentType(), c.body(),
                    c.headers().toArray(String[]::new));
            assertEquals(c.status(), r.statusCode(), c.name() + ": " + text(r));
            assertEquals(c.code(), json(r).get("error").get("code").asText(), c.name() + ": " + text(r));
        }
        assertEquals(0, model.batches(), "no bad input reached the model");
        FashionMnist.Split test = testSet();
        HttpResponse<byte[]> ok = http.post("/v1/classify", "image/png", test.png(0));
        assertEquals(200, ok.statusCode(), text(ok));
        JsonNode top = json(ok).get("predictions").get(0);
        assertEquals(test.label(0), top.get("class_id").asInt(), "the first test image, classified right: "
                + text(ok));
        assertEquals(FashionMnist.LABELS.get(test.label(0)), top.get("label").asText());
    }

    @Test
    void aBurstOverTheQueueGetsFast503sAndEveryAcceptedRequestIsAnsweredRight() throws Exception {
        start(BatcherConfig.custom().maxBatch(1).queueCapacity(2).maxDelay(Duration.ZERO).build(), 20);
        FashionMnist.Split test = testSet();
        List<CompletableFuture<HttpResponse<byte[]>>> burst = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            burst.add(postAsync(test.png(i)));
        }
        int ok = 0;
        int shed = 0;
        for (int i = 0; i < burst.size(); i++) {
            HttpResponse<byte[]> r = burst.get(i).get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 503) {
                shed++;
                assertEquals("queue_full", json(r).get("error").get("code").asText(), text(r));
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 says when to come back");
            } else {
                assertEquals(200, r.statusCode(), text(r));
                ok++;
            }
        }
        assertEquals(24, ok + shed, "every request answered");
        assertTrue(shed > 0, "24 at once into a queue of 2 behind a 20 ms model: some are shed");
        assertTrue(ok >= 3, "the queue's worth and the running one are served: " + ok);
        assertEquals(ok, model.batches(), "each accepted request ran once, no shed one ran");
    }

    @Test
    void aDeadlineThatPassesInTheQueueGives504WithoutRunning() throws Exception {
        start(BatcherConfig.custom().maxBatch(1).maxDelay(Duration.ZERO).build(), 400);
        FashionMnist.Split test = testSet();
        CompletableFuture<HttpResponse<byte[]>> first = postAsync(test.png(0));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.batches() == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(1, model.batches(), "the first request is running");
        HttpResponse<byte[]> late = http.post("/v1/classify", "image/png", test.png(1), "X-Deadline-Ms",
                "50");
        assertEquals(504, late.statusCode(), text(late));
        assertEquals("deadline_exceeded", json(late).get("error").get("code").asText());
        assertEquals(200, first.get(60, TimeUnit.SECONDS).statusCode());
        assertEquals(1, model.batches(), "the late request never ran");
    }

    @Test
    void aDrainAnswersEveryAcceptedRequestAndNone503() throws Exception {
        start(BatcherConfig.custom().maxBatch(1).maxDelay(Duration.ZERO).queueCapacity(64).build(), 100);
        FashionMnist.Split test = testSet();
        List<CompletableFuture<HttpResponse<byte[]>>> accepted = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            accepted.add(postAsync(test.png(i)));
        }
        // every request is in: queued, or run (one at a time, 100 ms each); read once, as it changes
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int in = 0;
        // the runs are read before the queue, so that a request moving from one to the other is never counted twice
        while ((in = model.batches() + queued()) < 12 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(12, in, "all 12 accepted before the drain");
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        for (int i = 0; i < accepted.size(); i++) {
            HttpResponse<byte[]> r = accepted.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "accepted before the drain, answered after it began: " + text(r));
        }
        closing.get(60, TimeUnit.SECONDS);
        server = null;
    }

    private int queued() throws Exception {
        return (int) ServerHttp.metric(text(http.get("/metrics")), "inference_queue_depth{lane=\"realtime\"}");
    }
}
