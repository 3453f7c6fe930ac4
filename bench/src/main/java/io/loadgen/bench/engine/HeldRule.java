package io.loadgen.bench.engine;

import io.loadgen.bench.report.Fmt;
import java.util.ArrayList;
import java.util.List;

/**
 * When a constant rate counts as held: the tool ran to its end, achieved >= 99% of the offered rate, latency p99
 * <= 10 ms, errors <= 0.1% of requests, and, for a tool that reports send lag (loadgen, the HttpCore probe), send-lag
 * p99 < 1 ms.
 *
 * @param minAchieved the least achieved / offered
 * @param maxP99Ms the highest latency p99, ms (inclusive)
 * @param maxSendLagP99Ms send-lag p99 must be below this, ms
 * @param maxErrorRatio the highest errors / requests (inclusive)
 */
public record HeldRule(double minAchieved, double maxP99Ms, double maxSendLagP99Ms, double maxErrorRatio) {
    /** The bench's rule. */
    public static final HeldRule DEFAULT = new HeldRule(0.99, 10.0, 1.0, 0.001);

    /**
     * @param m a trial
     * @return whether it held, and why not
     */
    public Held judge(Measurement m) {
        if (m.timedOut()) {
            return new Held(false, "timed out");
        }
        if (Double.isNaN(m.achieved())) {
            return new Held(false, m.exit() != 0 ? "exit " + m.exit() + ", no figures" : "no figures");
        }
        List<String> why = new ArrayList<>();
        if (m.exit() != 0) {
            why.add("exit " + m.exit());
        }
        if (!(m.achieved() >= minAchieved * m.offered())) {
            why.add("achieved " + Fmt.f1(100 * m.achieved() / m.offered()) + "%");
        }
        if (!(m.p99Ms() <= maxP99Ms)) {
            why.add("p99 " + Fmt.f1(m.p99Ms()) + " ms");
        }
        if (m.hasSendLag() && !(m.sendLagP99Ms() < maxSendLagP99Ms)) {
            why.add("send-lag p99 " + Fmt.f2(m.sendLagP99Ms()) + " ms");
        }
        if (m.errorRatio() > maxErrorRatio) {
            why.add("errors " + Fmt.f2(100 * m.errorRatio()) + "%");
        }
        return why.isEmpty() ? new Held(true, "held") : new Held(false, String.join(", ", why));
    }

    /** @return the rule in words, for the report */
    public String describe() {
        return Fmt.of("achieved >= %.0f%% of offered, latency p99 <= %s ms, errors <= %s%% of requests, and for the"
                + " tools that report send lag (loadgen, the HttpCore probe) send-lag p99 < %s ms", 100 * minAchieved,
                Fmt.f0(maxP99Ms), Fmt.fixed(100 * maxErrorRatio, 1), Fmt.f0(maxSendLagP99Ms));
    }
}
