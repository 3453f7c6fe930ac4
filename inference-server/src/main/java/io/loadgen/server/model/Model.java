package io.loadgen.server.model;

/**
 * An image classifier that scores a batch of preprocessed images at once.
 *
 * <p>Implementations are thread-safe for {@link #predict} unless they say otherwise; the batcher gives each of its
 * workers a model instance of its own anyway.
 */
public interface Model extends AutoCloseable {

    /** @return what the model is: name, input shape, classes, device, preprocessing */
    ModelInfo info();

    /**
     * Scores a batch.
     *
     * @param pixels {@code n * height * width * channels} values in NHWC order, already preprocessed as
     *     {@link ModelInfo#preprocessing()} says
     * @param n number of images in the batch, {@code >= 1}
     * @return {@code n} rows of {@code info().classes().size()} scores (probabilities when the model ends in softmax)
     * @throws IllegalArgumentException if {@code pixels.length != n * height * width * channels}
     */
    float[][] predict(float[] pixels, int n);

    /**
     * @return per-class minimum scores: a prediction under its class's threshold is not returned (see
     *     {@link Thresholds#topK}); {@link Thresholds#none()} by default
     */
    default Thresholds thresholds() {
        return Thresholds.none();
    }

    /** Releases native resources. */
    @Override
    void close();
}
