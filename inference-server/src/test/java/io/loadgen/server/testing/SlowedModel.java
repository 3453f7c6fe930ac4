package io.loadgen.server.testing;

import io.loadgen.server.model.Model;
import io.loadgen.server.model.ModelInfo;
import io.loadgen.server.model.Thresholds;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real model made slower by a fixed pause before each batch: it still runs the model (its answers are the real
 * model's), but a test can make the queue fill or a deadline pass on a schedule a fast model would not keep.
 */
public final class SlowedModel implements Model {
    private final Model model;
    private final long pauseNanos;
    private final AtomicInteger batches = new AtomicInteger();

    public SlowedModel(Model model, long pauseMillis) {
        this.model = model;
        this.pauseNanos = TimeUnit.MILLISECONDS.toNanos(pauseMillis);
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public Thresholds thresholds() {
        return model.thresholds();
    }

    @Override
    public float[][] predict(float[] pixels, int n) {
        batches.incrementAndGet();
        try {
            TimeUnit.NANOSECONDS.sleep(pauseNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return model.predict(pixels, n);
    }

    /** @return the batches started so far */
    public int batches() {
        return batches.get();
    }

    @Override
    public void close() {
        model.close();
    }
}
