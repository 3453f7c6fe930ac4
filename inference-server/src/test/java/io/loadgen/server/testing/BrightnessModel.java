package io.loadgen.server.testing;

import io.loadgen.server.model.Model;
import io.loadgen.server.model.ModelInfo;
import io.loadgen.server.model.Preprocessing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real classifier for tests of the batcher and the HTTP layer: it sorts a grey image into ten classes by
 * its mean brightness (class k for a mean in [k/10, (k+1)/10) of the [0, 1] range), with a softmax over the distances
 * to the class centres. Each model run takes {@code fixed + perImage * n}, so tests can make batching matter. It
 * records every batch size it saw.
 */
public final class BrightnessModel implements Model {
    public static final int SIZE = 8;
    private final ModelInfo info;
    private final long fixedNanos;
    private final long perImageNanos;
    private final List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger runs = new AtomicInteger();
    private volatile io.loadgen.server.model.Thresholds thresholds = io.loadgen.server.model.Thresholds.none();
    private volatile boolean nanForLastClass;
    private volatile java.util.function.Supplier<? extends Throwable> poison;

    public BrightnessModel(long fixedMillis, long perImageMillis) {
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            classes.add("level_" + k);
        }
        this.info = new ModelInfo("brightness", "test model: classes by mean brightness",
                new Preprocessing(SIZE, SIZE, 1, 1f / 255, 0f), classes, "CPU", true);
        this.fixedNanos = TimeUnit.MILLISECONDS.toNanos(fixedMillis);
        this.perImageNanos = TimeUnit.MILLISECONDS.toNanos(perImageMillis);
    }

    /** @return this model, filtering its predictions with {@code t} */
    public BrightnessModel thresholds(io.loadgen.server.model.Thresholds t) {
        this.thresholds = t;
        return this;
    }

    /** @return this model, scoring its last class NaN (a broken model's output) */
    public BrightnessModel nanForLastClass() {
        this.nanForLastClass = true;
        return this;
    }

    /**
     * @return this model, throwing what {@code failure} gives (a RuntimeException, or an Error: unchecked either
     *     way) for any batch that holds a white image (mean brightness >= 0.999): a model that cannot take an input
     */
    public BrightnessModel poisonedByWhite(java.util.function.Supplier<? extends Throwable> failure) {
        this.poison = failure;
        return this;
    }

    @Override
    public io.loadgen.server.model.Thresholds thresholds() {
        return thresholds;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public float[][] predict(float[] pixels, int n) {
        int per = info.preprocessing().valuesPerImage();
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " values, got " + pixels.length);
        }
        runs.incrementAndGet();
        batchSizes.add(n);
        java.util.function.Supplier<? extends Throwable> p = poison;
        if (p != null) {
            for (int i = 0; i < n; i++) {
                double mean = 0;
                for (int j = 0; j < per; j++) {
                    mean += pixels[i * per + j];
                }
                if (mean / per >= 0.999) {
                    Throwable t = p.get();
                    if (t instanceof RuntimeException r) {
                        throw r;
                    }
                    throw (Error) t;
                }
            }
        }
        long sleep = fixedNanos + perImageNanos * n;
        if (sleep > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        float[][] out = new float[n][10];
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int j = 0; j < per; j++) {
                mean += pixels[i * per + j];
            }
            mean /= per;
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                double d = mean - (k + 0.5) / 10;
                out[i][k] = (float) Math.exp(-d * d * 200);
                sum += out[i][k];
            }
            for (int k = 0; k < 10; k++) {
                out[i][k] /= (float) sum;
            }
            if (nanForLastClass) {
                out[i][9] = Float.NaN;
            }
        }
        return out;
    }

    /** @return the size of every batch run so far */
    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    @Override
    public void close() {
    }
}
