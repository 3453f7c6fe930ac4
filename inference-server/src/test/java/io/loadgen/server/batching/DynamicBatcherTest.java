package io.loadgen.server.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.server.testing.BrightnessModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
    private static final int N = BrightnessModel.SIZE * BrightnessModel.SIZE;

    private static float[] image(float level) {
        float[] p = new float[N];
        java.util.Arrays.fill(p, level);
        return p;
    }

    private static Rejection rejection(CompletableFuture<Prediction> f) throws InterruptedException {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(Rejection.class, e.getCause());
    }

    @Test
    void aFullBatchRunsAtOnceWithoutWaitingForTheDelay() throws Exception {
        BrightnessModel model = new BrightnessModel(0, 0);
        try (DynamicBatcher b = new DynamicBatcher(BatcherConfig.custom().maxBatch(8).maxDelay(Duration.ofSeconds(5))
                .build(), List.of(model), BatchListener.NONE)) {
            long t0 = System.nanoTime();
            List<CompletableFuture<Prediction>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(b.submit(image(0.05f + i * 0.1f), Lane.REALTIME, null));
            }
            for (int i = 0; i < 8; i++) {
                Prediction p = fs.get(i).get(5, TimeUnit.SECONDS);
                assertEquals(8, p.batchSize());
                int best = 0;
                for (int k = 1; k < 10; k++) {
                    best = p.scores()[k] > p.scores()[best] ? k : best;
                }
                assertEquals(i, best, "each request gets its own row back");
            }
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "did not wait for the 5 s delay");
            assertEquals(List.of(8), model.batchSizes());
        }
    }

    @Test
    void aLoneRequestRunsAfterTheMaxDelay() throws Exception {
        BrightnessModel model = new BrightnessModel(0, 0);
        try (DynamicBatcher b = new DynamicBatcher(BatcherConfig.custom().maxBatch(8).maxDelay(Duration.ofMillis(50))
                .build(), List.of(model), BatchListener.NONE)) {
            long t0 = System.nanoTime();
            Prediction p = b.submit(image(0.5f), Lane.REALTIME, null).get(5, TimeUnit.SECONDS);
            long took = System.nanoTime() - t0;
            assertEquals(1, p.batchSize());
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(45), "waited for the delay: " + took / 1e6 + " ms");
            assertTrue(p.queueTime().toMillis() >= 45);
        }
    }

    @Test
    void aFullQueueRejectsAtOnceWithARetryAfter() throws Exception {
        BrightnessModel model = new BrightnessModel(100, 0);
        List<Rejection.Cause> rejected = new ArrayList<>();
        BatchListener l = new BatchListener() {
            public void batchRan(int size, Duration t) {
            }

            public void queued(Lane lane, Duration wait) {
            }

            public synchronized void rejected(Rejection.Cause c) {
                rejected.add(c);
            }
        };
        try (DynamicBatcher b = new DynamicBatcher(BatcherConfig.custom().maxBatch(1).maxDelay(Duration.ZERO)
                .queueCapacity(2).build(), List.of(model), l)) {
            b.submit(image(0.5f), Lane.REALTIME, null).get(5, TimeUnit.SECONDS); // measures a batch: ~100 ms
            b.submit(image(0.5f), Lane.REALTIME, null);
            TimeUnit.MILLISECONDS.sleep(20); // the worker takes it and runs for 100 ms
            CompletableFuture<Prediction> q1 = b.submit(image(0.5f), Lane.REALTIME, null);
            CompletableFuture<Prediction> q2 = b.submit(image(0.5f), Lane.REALTIME, null);
            long t0 = System.nanoTime();
            CompletableFuture<Prediction> full = b.submit(image(0.5f), Lane.REALTIME, null);
            Rejection r = rejection(full);
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(50), "rejected at once");
            assertEquals(Rejection.Cause.QUEUE_FULL, r.reason());
            assertTrue(r.retryAfter().toMillis() >= 100, "two queued batches of ~100 ms: " + r.retryAfter());
            assertEquals(Rejection.Cause.QUEUE_FULL, b.admissionCheck(Lane.REALTIME).reason(),
                    "the HTTP layer can refuse before decoding");
            assertEquals(null, b.admissionCheck(Lane.BATCH));
            assertEquals(List.of(Rejection.Cause.QUEUE_FULL, Rejection.Cause.QUEUE_FULL), rejected,
                    "the refused submit and the refused admission are both counted");
            rejected.clear();
            // the other lane has its own queue
            CompletableFuture<Prediction> other = b.submit(image(0.5f), Lane.BATCH, null);
            q1.get(5, TimeUnit.SECONDS);
            q2.get(5, TimeUnit.SECONDS);
            other.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(), rejected);
            assertTrue(b.meanBatchTime().toMillis() >= 100, "measured batch time " + b.meanBatchTime());
        }
    }

    @Test
    void aRequestPastItsDeadlineFailsWithoutRunning() throws Exception {
        BrightnessModel model = new BrightnessModel(150, 0);
        try (DynamicBatcher b = new DynamicBatcher(BatcherConfig.custom().maxBatch(1).maxDelay(Duration.ZERO).build(),
                List.of(model), BatchListener.NONE)) {
            CompletableFuture<Prediction> first = b.submit(image(0.5f), Lane.REALTIME, null);
            TimeUnit.MILLISECONDS.sleep(20);
            CompletableFuture<Prediction> late = b.submit(image(0.5f), Lane.REALTIME, Duration.ofMillis(30));
            first.get(5, TimeUnit.SECONDS);
            assertEquals(Rejection.Cause.DEADLINE_EXCEEDED, rejection(late).reason());
            TimeUnit.MILLISECONDS.sleep(50);
            assertEquals(List.of(1), model.batchSizes(), "the late request never reached the model");
        }
    }

    @Test
    void realtimeGoesFirstButStarvingBatchRequestsGetAhead() throws Exception {
        BrightnessModel model = new BrightnessModel(100, 0);
        try (DynamicBatcher b = new DynamicBatcher(BatcherConfig.custom().maxBatch(2).maxDelay(Duration.ZERO)
                .starvationLimit(Duration.ofMillis(150)).build(), List.of(model), BatchListener.NONE)) {
            CompletableFuture<Prediction> busy = b.submit(image(0.5f), Lane.REALTIME, null);
            TimeUnit.MILLISECONDS.sleep(20);
            CompletableFuture<Prediction> bulk = b.submit(image(0.15f), Lane.BATCH, null);
            CompletableFuture<Prediction> rt1 = b.submit(image(0.25f), Lane.REALTIME, null);
            CompletableFuture<Prediction> rt2 = b.submit(image(0.35f), Lane.REALTIME, null);
            busy.get(5, TimeUnit.SECONDS);
            Prediction p1 = rt1.get(5, TimeUnit.SECONDS);
            Prediction p2 = rt2.get(5, TimeUnit.SECONDS);
            Prediction pb = bulk.get(5, TimeUnit.SECONDS);
            assertTrue(pb.queueTime().compareTo(p1.queueTime()) > 0, "realtime first when nothing starves");
            assertTrue(pb.queueTime().compareTo(p2.queueTime()) > 0);

            // now keep realtime busy: a batch request that waited past the limit still gets in
            List<CompletableFuture<Prediction>> flood = new ArrayList<>();
            CompletableFuture<Prediction> starving = null;
            for (int i = 0; i < 12; i++) {
                flood.add(b.submit(image(0.5f), Lane.REALTIME, null));
                if (i == 0) {
                    starving = b.submit(image(0.5f), Lane.BATCH, null);
                }
                TimeUnit.MILLISECONDS.sleep(25);
            }
            Prediction s = starving.get(5, TimeUnit.SECONDS);
            long lastRealtimeDone = 0;
            for (CompletableFuture<Prediction> f : flood) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertTrue(s.queueTime().toMillis() < 450, "the batch request ran within a few batches of its limit: "
                    + s.queueTime());
        }
    }

    @Test
    void drainFinishesWhatWasAcceptedAndRefusesTheRest() throws Exception {
        BrightnessModel model = new BrightnessModel(20, 0);
        DynamicBatcher b = new DynamicBatcher(BatcherConfig.custom().maxBatch(2).maxDelay(Duration.ofMillis(1))
                .build(), List.of(model), BatchListener.NONE);
        List<CompletableFuture<Prediction>> accepted = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            accepted.add(b.submit(image(0.5f), Lane.REALTIME, null));
        }
        assertTrue(b.drain(Duration.ofSeconds(10)));
        for (CompletableFuture<Prediction> f : accepted) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally(), "every accepted request finished");
        }
        assertEquals(Rejection.Cause.SHUTTING_DOWN, rejection(b.submit(image(0.5f), Lane.REALTIME, null)).reason());
    }

    @Test
    void badInputIsRefused() {
        BrightnessModel model = new BrightnessModel(0, 0);
        try (DynamicBatcher b = new DynamicBatcher(BatcherConfig.DEFAULT, List.of(model), BatchListener.NONE)) {
            assertThrows(IllegalArgumentException.class, () -> b.submit(new float[3], Lane.REALTIME, null));
        }
        assertThrows(IllegalArgumentException.class, () -> new DynamicBatcher(BatcherConfig.custom().workers(2).build(),
                List.of(model), BatchListener.NONE));
        assertThrows(IllegalArgumentException.class, () -> BatcherConfig.custom().maxBatch(0));
        assertThrows(IllegalArgumentException.class, () -> Lane.ofHeader("urgent"));
    }
}
