package io.loadgen.server.batching;

import io.loadgen.server.model.Model;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups requests from many clients into model runs. Each lane has a bounded queue; a full lane rejects at once
 * (with a Retry-After estimated from its depth and the measured batch time). A batch is formed as soon as
 * {@code maxBatch} requests wait or the oldest has waited {@code maxDelay}; realtime requests go first, and a batch
 * request that has waited {@code starvationLimit} goes ahead of them. A request whose deadline passed while it
 * waited fails without running. Each worker owns one model instance and one thread, and sleeps on a condition when
 * there is nothing to do (no spinning).
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);
    /** Weight of the newest batch time in the moving average. */
    private static final double EWMA_ALPHA = 0.2;

    /** One queued request. */
    private record Pending(float[] pixels, Lane lane, long enqueuedNanos, long deadlineNanos,
            CompletableFuture<Prediction> future) {
    }

    private final BatcherConfig config;
    private final int valuesPerImage;
    private final BatchListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Lane, ArrayDeque<Pending>> queues = new EnumMap<>(Lane.class);
    private final List<Thread> workers = new ArrayList<>();
    private final long maxDelayNanos;
    private final long starvationNanos;
    private boolean accepting = true;
    /** Set once a model run threw an Error: the batcher refuses everything from then on. */
    private volatile String broken;
    private boolean closing;
    private int running;
    private volatile double batchNanosEwma;

    /**
     * Starts one worker thread per model.
     *
     * @param config the settings; {@code config.workers()} must equal {@code models.size()}
     * @param models one instance per worker, all of the same model
     * @param listener hears batches, waits and rejections
     */
    public DynamicBatcher(BatcherConfig config, List<? extends Model> models, BatchListener listener) {
        this.config = Objects.requireNonNull(config);
        this.listener = Objects.requireNonNull(listener);
        if (models.size() != config.workers()) {
            throw new IllegalArgumentException(config.workers() + " workers need as many models, got "
                    + models.size());
        }
        this.valuesPerImage = models.get(0).info().preprocessing().valuesPerImage();
        this.maxDelayNanos = config.maxDelay().toNanos();
        this.starvationNanos = config.starvationLimit().toNanos();
        for (Lane l : Lane.values()) {
            queues.put(l, new ArrayDeque<>());
        }
        for (int i = 0; i < models.size(); i++) {
            Model m = models.get(i);
            Thread t = new Thread(() -> work(m), "batcher-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /** @return the settings */
    public BatcherConfig config() {
        return config;
    }

    /**
     * Queues one preprocessed image.
     *
     * @param pixels {@code valuesPerImage} preprocessed values
     * @param lane its lane
     * @param deadline how long it may wait before inference, from now; {@code null} for the default deadline
     * @return a future that completes with its prediction, or exceptionally with a {@link Rejection}
     *     (queue full, shutting down, deadline exceeded) or the model's exception
     * @throws IllegalArgumentException if {@code pixels} has the wrong length
     */
    public CompletableFuture<Prediction> submit(float[] pixels, Lane lane, Duration deadline) {
        if (pixels.length != valuesPerImage) {
            throw new IllegalArgumentException("expected " + valuesPerImage + " values, got " + pixels.length);
        }
        long now = System.nanoTime();
        long budget = (deadline == null ? config.defaultDeadline() : deadline).toNanos();
        CompletableFuture<Prediction> future = new CompletableFuture<>();
        Rejection rejection = null;
        lock.lock();
        try {
            rejection = refusal(lane, 1);
            if (rejection == null) {
                queues.get(lane).addLast(new Pending(pixels, lane, now, now + budget, future));
                if (total() >= config.maxBatch() || total() == 1) {
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        if (rejection != null) {
            listener.rejected(rejection.reason());
            future.completeExceptionally(rejection);
        }
        return future;
    }

    /**
     * Says at once whether a request for this lane would be refused, so that the HTTP layer can answer an overload
     * with a fast 503 before spending CPU on decoding the image. The answer can be out of date by the time the
     * request is submitted; {@link #submit} checks again.
     *
     * @return the rejection the lane would give now, or {@code null} when it has room
     */
    public Rejection admissionCheck(Lane lane) {
        return admissionCheck(lane, 1);
    }

    /**
     * Like {@link #admissionCheck(Lane)} for a request of {@code items} images, which all enter the same lane.
     *
     * @param items the request's images, {@code >= 1}
     * @return the rejection the lane would give now, or {@code null} when it has room for all of them
     */
    public Rejection admissionCheck(Lane lane, int items) {
        Rejection r;
        lock.lock();
        try {
            r = refusal(lane, items);
        } finally {
            lock.unlock();
        }
        if (r != null) {
            listener.rejected(r.reason());
        }
        return r;
    }

    /**
     * The one rule of admission, for {@link #submit} and {@link #admissionCheck}; the caller holds the lock.
     *
     * @return why the lane would refuse {@code items} more images now, or {@code null} when it has room
     */
    private Rejection refusal(Lane lane, int items) {
        ArrayDeque<Pending> q = queues.get(lane);
        if (broken != null) {
            return brokenRejection();
        }
        if (!accepting) {
            return new Rejection(Rejection.Cause.SHUTTING_DOWN, "the server is shutting down", null);
        }
        if (q.size() + items > config.queueCapacity()) {
            return new Rejection(Rejection.Cause.QUEUE_FULL, items == 1
                    ? "the " + lane.label() + " queue is full (" + q.size() + " requests)"
                    : "the " + lane.label() + " queue has room for " + (config.queueCapacity() - q.size())
                            + " of this request's " + items + " images", retryAfter(q.size() + items - 1));
        }
        return null;
    }

    /**
     * An estimate of how long a request would wait behind {@code depth} others: the batches they make, times the
     * moving average of the batch time, shared among the workers.
     */
    private Duration retryAfter(int depth) {
        double batchNanos = batchNanosEwma > 0 ? batchNanosEwma : maxDelayNanos + 10_000_000;
        double batches = Math.ceil((double) depth / config.maxBatch()) + 1;
        return Duration.ofNanos((long) (batches * batchNanos / config.workers()));
    }

    /** @return requests waiting in a lane now */
    public int queueDepth(Lane lane) {
        lock.lock();
        try {
            return queues.get(lane).size();
        } finally {
            lock.unlock();
        }
    }

    /** @return the moving average of a batch's model time, or zero before the first batch */
    public Duration meanBatchTime() {
        return Duration.ofNanos((long) batchNanosEwma);
    }

    private int total() {
        int n = 0;
        for (ArrayDeque<Pending> q : queues.values()) {
            n += q.size();
        }
        return n;
    }

    private long oldestEnqueued() {
        long oldest = Long.MAX_VALUE;
        for (ArrayDeque<Pending> q : queues.values()) {
            if (!q.isEmpty()) {
                oldest = Math.min(oldest, q.peekFirst().enqueuedNanos());
            }
        }
        return oldest;
    }

    private void work(Model model) {
        List<Pending> expired = new ArrayList<>();
        while (true) {
            List<Pending> batch;
            lock.lock();
            try {
                batch = awaitBatch(expired);
                if (batch == null) {
                    return;
                }
                running++;
            } finally {
                lock.unlock();
            }
            try {
                fail(expired);
                if (!batch.isEmpty()) {
                    run(model, batch);
                }
            } finally {
                lock.lock();
                try {
                    running--;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Waits, holding the lock, until a batch is due; returns it (possibly empty), or null when closing. */
    private List<Pending> awaitBatch(List<Pending> expired) {
        try {
            while (true) {
                if (total() == 0) {
                    if (closing) {
                        return null;
                    }
                    changed.await();
                    continue;
                }
                long due = oldestEnqueued() + maxDelayNanos;
                long now = System.nanoTime();
                if (total() >= config.maxBatch() || now >= due || closing || !accepting) {
                    return take(now, expired);
                }
                changed.awaitNanos(due - now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Takes up to maxBatch live requests: realtime first, unless the oldest batch request is starving. */
    private List<Pending> take(long now, List<Pending> expired) {
        List<Pending> batch = new ArrayList<>(config.maxBatch());
        ArrayDeque<Pending> realtime = queues.get(Lane.REALTIME);
        ArrayDeque<Pending> bulk = queues.get(Lane.BATCH);
        if (!bulk.isEmpty() && now - bulk.peekFirst().enqueuedNanos() >= starvationNanos) {
            fill(batch, bulk, Math.max(1, config.maxBatch() / 2), now, expired);
        }
        fill(batch, realtime, config.maxBatch(), now, expired);
        fill(batch, bulk, config.maxBatch(), now, expired);
        return batch;
    }

    private void fill(List<Pending> batch, ArrayDeque<Pending> q, int upTo, long now, List<Pending> expired) {
        while (batch.size() < upTo && !q.isEmpty()) {
            Pending p = q.pollFirst();
            if (now > p.deadlineNanos()) {
                expired.add(p);
            } else {
                batch.add(p);
            }
        }
    }

    private void fail(List<Pending> expired) {
        for (Pending p : expired) {
            listener.rejected(Rejection.Cause.DEADLINE_EXCEEDED);
            p.future().completeExceptionally(new Rejection(Rejection.Cause.DEADLINE_EXCEEDED,
                    "the deadline passed after " + TimeUnit.NANOSECONDS.toMillis(p.deadlineNanos() - p.enqueuedNanos())
                            + " ms in the " + p.lane().label() + " queue, before inference", null));
        }
        expired.clear();
    }

    private Rejection brokenRejection() {
        return new Rejection(Rejection.Cause.NOT_READY, "the model failed for good (" + broken
                + "): this server must be restarted", null);
    }

    /**
     * @return why the batcher refuses everything, once a model run threw an {@link Error} (the JVM or the model's
     *     native code is in an unknown state); empty while it is healthy
     */
    public java.util.Optional<String> broken() {
        return java.util.Optional.ofNullable(broken);
    }

    /**
     * Runs a batch. A model that throws a RuntimeException for a batch of several is run again on each image
     * alone, so that only the image it cannot take fails (with that exception) and the others, often other clients'
     * requests, get their answer. An {@link Error} is not survived: the batch fails with it, everything queued fails
     * as not ready, the batcher refuses from then on ({@link #broken()}, readiness goes false), and the worker thread ends with it.
     */
    private void run(Model model, List<Pending> batch) {
        int n = batch.size();
        float[] input = new float[n * valuesPerImage];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.get(i).pixels(), 0, input, i * valuesPerImage, valuesPerImage);
        }
        long start = System.nanoTime();
        float[][] scores;
        try {
            scores = model.predict(input, n);
        } catch (RuntimeException e) {
            if (n == 1) {
                LOG.error("model run of one image failed", e);
                batch.get(0).future().completeExceptionally(e);
            } else {
                LOG.warn("model run of a batch of {} failed ({}); running each image alone", n, e.toString());
                for (Pending p : batch) {
                    run(model, List.of(p));
                }
            }
            return;
        } catch (Error e) {
            LOG.error("model run of a batch of {} threw an Error: the batcher stops", n, e);
            for (Pending p : batch) {
                p.future().completeExceptionally(e);
            }
            List<Pending> queued = new ArrayList<>();
            lock.lock();
            try {
                broken = e.toString();
                accepting = false;
                for (ArrayDeque<Pending> q : queues.values()) {
                    queued.addAll(q);
                    q.clear();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            for (Pending p : queued) {
                p.future().completeExceptionally(brokenRejection());
            }
            throw e;
        }
        long end = System.nanoTime();
        long took = end - start;
        double prev = batchNanosEwma;
        batchNanosEwma = prev == 0 ? took : prev + EWMA_ALPHA * (took - prev);
        Duration inference = Duration.ofNanos(took);
        listener.batchRan(n, inference);
        for (int i = 0; i < n; i++) {
            Pending p = batch.get(i);
            Duration wait = Duration.ofNanos(start - p.enqueuedNanos());
            listener.queued(p.lane(), wait);
            p.future().complete(new Prediction(scores[i], wait, n, inference));
        }
    }

    /**
     * Stops accepting, lets every accepted request finish (bounded by {@code timeout}), then stops the workers.
     * Requests still queued after the timeout fail as shutting down.
     *
     * @return whether everything accepted finished in time
     */
    public boolean drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Pending> left = new ArrayList<>();
        boolean clean;
        lock.lock();
        try {
            accepting = false;
            changed.signalAll();
            while ((total() > 0 || running > 0) && System.nanoTime() < deadline) {
                changed.awaitNanos(Math.max(1, Math.min(deadline - System.nanoTime(), 50_000_000)));
            }
            clean = total() == 0 && running == 0;
            for (ArrayDeque<Pending> q : queues.values()) {
                left.addAll(q);
                q.clear();
            }
            closing = true;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        } finally {
            lock.unlock();
        }
        for (Pending p : left) {
            p.future().completeExceptionally(new Rejection(Rejection.Cause.SHUTTING_DOWN,
                    "the server shut down before this request ran", null));
        }
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return clean;
    }

    /** Same as {@code drain(Duration.ZERO)}. */
    @Override
    public void close() {
        drain(Duration.ZERO);
    }
}
