package io.loadgen.client;

import java.time.Duration;
import java.util.List;

/**
 * The server's answer to one classify request.
 *
 * @param id the request id (the one sent in {@code X-Request-Id}, or the server's)
 * @param model the model's name
 * @param predictions the top classes, best first (classes under their threshold are left out)
 * @param timing how the request went through the server
 */
public record Classification(String id, String model, List<Prediction> predictions, Timing timing) {
    public Classification {
        predictions = List.copyOf(predictions);
    }

    /**
     * One class and its score.
     *
     * @param classId class index
     * @param label class name
     * @param score the model's score, in [0, 1] for a softmax model
     */
    public record Prediction(int classId, String label, double score) {
    }

    /**
     * Server-side times.
     *
     * @param queue wait in the batcher before the model ran
     * @param batchSize images in the model run
     * @param inference length of the model run
     * @param total from receipt to response
     */
    public record Timing(Duration queue, int batchSize, Duration inference, Duration total) {
    }

    /** @return the best prediction, or {@code null} when none passed its threshold */
    public Prediction top() {
        return predictions.isEmpty() ? null : predictions.get(0);
    }
}
