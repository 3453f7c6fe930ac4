package io.loadgen.server.batching;

import java.time.Duration;

/**
 * The scores of one image and how it went through the batcher.
 *
 * @param scores one score per class
 * @param queueTime from submission to the start of its batch's model run
 * @param batchSize number of images in that run
 * @param inferenceTime length of the model run
 */
public record Prediction(float[] scores, Duration queueTime, int batchSize, Duration inferenceTime) {
}
