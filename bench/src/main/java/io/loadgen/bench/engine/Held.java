package io.loadgen.bench.engine;

/**
 * Whether a trial held its rate, and if not, why.
 *
 * @param held whether it did
 * @param why "held", or the criteria that failed, e.g. "achieved 97.2%, p99 14.1 ms"
 */
public record Held(boolean held, String why) {
}
