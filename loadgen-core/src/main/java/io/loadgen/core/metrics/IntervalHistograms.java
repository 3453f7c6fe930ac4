package io.loadgen.core.metrics;

import org.HdrHistogram.Histogram;

/**
 * The raw histograms of one interval, in microseconds, for writers of interval logs. Listeners must not modify them.
 *
 * @param latency response time from the intended send time
 * @param serviceTime response time from the actual send
 * @param sendLag dispatch time minus intended send time
 */
public record IntervalHistograms(Histogram latency, Histogram serviceTime, Histogram sendLag) {
}
